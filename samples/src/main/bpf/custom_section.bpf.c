// SPDX-License-Identifier: GPL-2.0
/*
 * custom_section: a program in a section name that means nothing to libbpf.
 *
 * Shows: SEC("xdp_icmp_echo") gives the loader no program type, as in old
 * iproute2-era objects (`ip link set dev X xdp obj o sec xdp_icmp_echo`).
 * The user must state the type through the API (bpftool: `prog loadall
 * custom_section.bpf.o DIR type xdp`).
 *
 * icmp_echo answers ICMP echo requests in place: it swaps MAC and IPv4
 * addresses, turns the type into echo reply, patches the ICMP checksum
 * incrementally and returns XDP_TX. Everything else gets XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* <linux/icmp.h> drags in glibc's socket headers, which do not build for
 * -target bpf: declare the little we need. */
#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

/* RFC 1624 incremental update: checksum after a 16-bit word changed. */
static __always_inline __u16 csum_replace(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp_icmp_echo")
int icmp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *icmp;
	unsigned char mac[ETH_ALEN];
	__u32 addr;
	__u16 old;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_ICMP || ip->ihl != 5)
		return XDP_PASS;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);

	/* Swapping addresses leaves the IPv4 header checksum unchanged. */
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;

	old = *(__u16 *)icmp;			/* type and code */
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = csum_replace(icmp->checksum, old, *(__u16 *)icmp);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
