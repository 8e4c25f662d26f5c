// SPDX-License-Identifier: GPL-2.0
/*
 * tcx_port_rewrite: a tc program that rewrites the destination port of UDP
 * datagrams in flight.
 *
 * Shows: a tc (sched_cls) program attached live with a TCX link (Linux 6.6),
 * writing packet bytes with bpf_skb_store_bytes and keeping the UDP checksum
 * right with bpf_l4_csum_replace (BPF_F_MARK_MANGLED_0: a zero UDP checksum
 * means "none" and stays zero). Ports come from .rodata globals.
 *
 * Test live: attach it at the ingress of one end of a veth pair; datagrams
 * sent to from_port are delivered to the socket bound to to_port, with a
 * valid checksum (the receiving stack would drop them otherwise); rewritten
 * counts them.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u16 from_port = 7000;
const volatile __u16 to_port = 7001;
__u64 rewritten = 0;

SEC("tc")
int tcx_port_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	__u32 udp_off;
	__be16 old_port, new_port;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return TC_ACT_OK;
	udp_off = ETH_HLEN + ip->ihl * 4;
	udp = data + udp_off;
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(from_port))
		return TC_ACT_OK;

	old_port = udp->dest;
	new_port = bpf_htons(to_port);
	/* The helpers may move packet data: no packet pointer is used after them. */
	bpf_l4_csum_replace(skb, udp_off + offsetof(struct udphdr, check), old_port, new_port,
			    BPF_F_MARK_MANGLED_0 | sizeof(new_port));
	bpf_skb_store_bytes(skb, udp_off + offsetof(struct udphdr, dest), &new_port, sizeof(new_port), 0);
	__sync_fetch_and_add(&rewritten, 1);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
