// SPDX-License-Identifier: GPL-2.0
/* two_progs: two programs and two maps, so that unnamed injection is ambiguous. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} left SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} right SEC(".maps");

SEC("xdp")
int first(struct xdp_md *ctx)
{
	__u32 key = 1;

	return bpf_map_lookup_elem(&left, &key) ? XDP_DROP : XDP_PASS;
}

SEC("socket")
int second(struct __sk_buff *skb)
{
	__u32 key = 2;

	return bpf_map_lookup_elem(&right, &key) ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
