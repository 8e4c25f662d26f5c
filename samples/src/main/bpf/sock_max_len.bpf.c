// SPDX-License-Identifier: GPL-2.0
/*
 * sock_max_len: a socket filter that drops datagrams longer than max_len.
 *
 * Shows: a SOCKET_FILTER program attached to a socket the test owns
 * (SO_ATTACH_BPF), whose return value is how many bytes to keep: skb->len to
 * keep the datagram, 0 to drop it. On a UDP socket skb->len counts the UDP
 * header and the payload.
 *
 * Test live: attach it to a receiving UDP socket; short datagrams arrive, long
 * ones do not; seen and dropped count them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 max_len = 512;
__u64 seen = 0;
__u64 dropped = 0;

SEC("socket")
int sock_max_len(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&seen, 1);
	if (skb->len > max_len) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
