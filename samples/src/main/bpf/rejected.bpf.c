// SPDX-License-Identifier: GPL-2.0
/*
 * rejected: a program the verifier refuses, on purpose.
 *
 * Shows: the classic bug of dereferencing the result of bpf_map_lookup_elem
 * without checking it for NULL. The verifier rejects the load with
 * "R0 invalid mem access 'map_value_or_null'"; because the object carries
 * BTF line info (-g), a loader can point at the source line marked BUG below.
 * Nothing else in this file is wrong: the map and the license are valid.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("xdp")
int null_deref(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 *count = bpf_map_lookup_elem(&hits, &key);

	*count += 1; /* BUG: count may be NULL */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
