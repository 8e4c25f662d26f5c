// SPDX-License-Identifier: GPL-2.0
/* reject: the verifier refuses this program (a NULL dereference after bpf_map_lookup_elem). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("xdp")
int bad_deref(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&hits, &key);

	*n += 1; /* BUG: n may be NULL */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
