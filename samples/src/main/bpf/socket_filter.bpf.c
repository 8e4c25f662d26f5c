// SPDX-License-Identifier: GPL-2.0
/*
 * socket_filter: a SOCKET_FILTER program that keeps only UDP over IPv4.
 *
 * Shows: the __sk_buff context and the bpf_skb_load_bytes family, which
 * copies bytes out of the packet (socket filters cannot read packet data
 * through direct pointers). The _relative variant is used with
 * BPF_HDR_START_NET because where offset 0 lies depends on the socket: the
 * Ethernet header on an AF_PACKET socket, the IP header on an IP socket and
 * under BPF_PROG_TEST_RUN. The return value is how many bytes to keep:
 * skb->len for UDP, 0 (drop) for anything else.
 *
 * Test with BPF_PROG_TEST_RUN: a UDP/IPv4 frame returns its length without
 * the Ethernet header (test runs of socket filters start skb->data at the
 * network header), a TCP one returns 0.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int socket_filter(struct __sk_buff *skb)
{
	__u8 proto;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes_relative(skb, offsetof(struct iphdr, protocol),
					&proto, sizeof(proto), BPF_HDR_START_NET) < 0)
		return 0;
	return proto == IPPROTO_UDP ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
