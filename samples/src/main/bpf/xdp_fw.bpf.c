// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fw: a small XDP firewall.
 *
 * Shows: bounds-checked parsing of Ethernet / IPv4 / UDP / TCP (ports), a BTF-defined
 * HASH map looked up by source address, a PERCPU_ARRAY of per-verdict
 * counters with a struct value, and a `const volatile` setting in .rodata that
 * userspace fixes before the program is loaded.
 *
 * Test with BPF_PROG_TEST_RUN: put an address in `blocklist`, run a packet
 * from it, expect XDP_DROP and stats[XDP_DROP].packets == 1.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Why an address is blocked; stored as the value of `blocklist`. */
struct block_reason {
	__u32 rule_id;	/* which rule of the user's configuration added it */
	__u32 flags;	/* reserved, 0 */
};

/* Per-verdict counters; the index of `stats` is the XDP action. */
struct verdict_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);			/* IPv4 source address, network order */
	__type(value, struct block_reason);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);	/* one slot per XDP action */
	__type(key, __u32);
	__type(value, struct verdict_stats);
} stats SEC(".maps");

/* Destination port (host order) to drop for UDP and TCP; 0 disables the rule. */
const volatile __u16 blocked_port = 0;

static __always_inline int count(struct xdp_md *ctx, __u32 verdict)
{
	struct verdict_stats *s = bpf_map_lookup_elem(&stats, &verdict);

	if (s) {
		s->packets++;
		s->bytes += ctx->data_end - ctx->data;
	}
	return verdict;
}

SEC("xdp")
int xdp_fw(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u16 dport = 0;

	if ((void *)(eth + 1) > data_end)
		return count(ctx, XDP_DROP);	/* runt frame */
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return count(ctx, XDP_PASS);	/* not IPv4: not our business */

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return count(ctx, XDP_DROP);

	if (bpf_map_lookup_elem(&blocklist, &ip->saddr))
		return count(ctx, XDP_DROP);

	if (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP) {
		/* UDP and TCP both start with source and destination port. */
		__be16 *ports = (void *)ip + ip->ihl * 4;

		if ((void *)(ports + 2) > data_end)
			return count(ctx, XDP_DROP);
		dport = bpf_ntohs(ports[1]);
	}

	if (blocked_port != 0 && dport == blocked_port)
		return count(ctx, XDP_DROP);
	return count(ctx, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
