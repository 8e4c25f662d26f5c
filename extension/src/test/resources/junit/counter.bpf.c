// SPDX-License-Identifier: GPL-2.0
/* counter: one XDP program, one map, and globals of several types, for the @BpfTest extension's tests. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

const volatile __u32 verdict = XDP_PASS;	/* what the program returns */
const volatile __u16 port = 0;
const volatile __s8 delta = 1;			/* added to the counter */
const volatile _Bool enabled = 1;
const volatile char tag[8] = "none";

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&counts, &key);

	if (n && enabled)
		__sync_fetch_and_add(n, delta + port + tag[0]);
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
