// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_drop_port: an XDP program that drops UDP/IPv4 datagrams to one port.
 *
 * Shows: an XDP program attached to a real device (a veth in generic mode),
 * configured through a .rodata global set before load (drop_port), and
 * counters in an array map read by the test after real traffic went by.
 *
 * Test live: attach it to one end of a veth pair, send UDP from the other
 * end to drop_port and to another port: only the other port's datagrams
 * arrive; stats[0] counts passed packets, stats[1] dropped ones.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u16 drop_port = 9;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int xdp_drop_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto pass;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		goto pass;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		goto pass;
	if (udp->dest == bpf_htons(drop_port)) {
		count(1);
		return XDP_DROP;
	}
pass:
	count(0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
