// SPDX-License-Identifier: GPL-2.0
/*
 * sized_by_api: a map whose size the user chooses before load.
 *
 * Shows: `flows` is a BTF-defined HASH without max_entries, as xdp-tools
 * leaves sizes to its loader. BPF_MAP_CREATE refuses max_entries 0, so the
 * loader must let the user set it (libbpf: bpf_map__set_max_entries) and
 * fail with a clear message when nobody did. bpftool cannot load this object
 * as it is.
 *
 * count_flows counts frames per IPv4 source address in `flows` (new
 * addresses are added while there is room) and always returns XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);	/* IPv4 source, network order */
	__type(value, __u64);	/* frames seen */
} flows SEC(".maps");

SEC("xdp")
int count_flows(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 one = 1, *count;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	count = bpf_map_lookup_elem(&flows, &ip->saddr);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&flows, &ip->saddr, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
