// SPDX-License-Identifier: GPL-2.0
/*
 * tc_rewrite: a TC (sched_cls) program that rewrites the packet it sees.
 *
 * Shows: writing packet bytes with bpf_skb_store_bytes and keeping the IPv4
 * header checksum right with bpf_l3_csum_replace. Every IPv4 packet leaves
 * with its TTL one lower (and is dropped when the TTL would reach 0); the
 * Ethernet source and destination addresses are swapped, as a reflector does.
 *
 * Test with BPF_PROG_TEST_RUN: the output packet has TTL - 1, a valid IPv4
 * checksum and swapped MACs; the return value is TC_ACT_OK.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF		ETH_HLEN
#define TTL_OFF		(IP_OFF + offsetof(struct iphdr, ttl))
#define CSUM_OFF	(IP_OFF + offsetof(struct iphdr, check))

SEC("tc")
int tc_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	unsigned char mac[ETH_ALEN];
	__u16 old_word, new_word;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;

	/* Swap source and destination MAC. */
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);

	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->ttl <= 1)
		return TC_ACT_SHOT;

	/* TTL shares a 16-bit checksum word with the protocol field. */
	old_word = *(__u16 *)&ip->ttl;
	ip->ttl--;
	new_word = *(__u16 *)&ip->ttl;

	/* The helper may move packet data: no packet pointer is used after it. */
	bpf_l3_csum_replace(skb, CSUM_OFF, old_word, new_word, sizeof(__u16));
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
