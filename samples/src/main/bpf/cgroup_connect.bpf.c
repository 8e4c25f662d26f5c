// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_connect: cgroup programs that see the sockets of one cgroup's
 * processes.
 *
 * Shows: a cgroup/connect4 program (CGROUP_SOCK_ADDR) that redirects every
 * IPv4 connect() of the cgroup's processes to from_port onto to_port, and a
 * cgroup_skb/egress program counting the packets they send; both attached to
 * a cgroup with BPF links.
 *
 * Test live: a process started in the cgroup connects to 127.0.0.1:from_port
 * and sends a datagram: it arrives at the socket on to_port; the same from a
 * process outside the cgroup arrives at from_port. connects and egress_packets
 * count only what the cgroup's processes did.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u16 from_port = 7000;
const volatile __u16 to_port = 7001;
__u64 connects = 0;
__u64 redirected = 0;
__u64 egress_packets = 0;

SEC("cgroup/connect4")
int connect4_redirect(struct bpf_sock_addr *ctx)
{
	__sync_fetch_and_add(&connects, 1);
	if (ctx->user_port == bpf_htons(from_port)) {
		ctx->user_port = bpf_htons(to_port);
		__sync_fetch_and_add(&redirected, 1);
	}
	return 1;	/* allow the connect */
}

SEC("cgroup_skb/egress")
int count_egress(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&egress_packets, 1);
	return 1;	/* let the packet go */
}

char LICENSE[] SEC("license") = "GPL";
