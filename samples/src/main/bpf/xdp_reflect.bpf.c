// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_reflect: an XDP program that sends UDP datagrams to one port back
 * where they came from (XDP_TX).
 *
 * Shows: rewriting a frame in place and transmitting it out of the device it
 * arrived on. Swapping the Ethernet addresses, the IPv4 addresses and the
 * UDP ports leaves both checksums valid (a ones' complement sum does not
 * depend on the order of its words), so no checksum is recomputed.
 *
 * Test live: attach it to one end of a veth pair in generic mode and send a
 * datagram to echo_port from the other end: the sender's socket receives its
 * own payload back, from the address and port it sent to.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u16 echo_port = 7;
__u64 reflected = 0;

SEC("xdp")
int xdp_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	unsigned char mac[ETH_ALEN];
	__be32 addr;
	__be16 port;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(echo_port))
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	__sync_fetch_and_add(&reflected, 1);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
