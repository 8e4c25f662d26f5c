// SPDX-License-Identifier: GPL-2.0
/* rejected_socket_leak: looks a socket up (the kernel takes a reference on it) and never releases it.
 * The verifier refuses it ("Unreleased reference"). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int socket_leak(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), -1, 0);
	if (!sk)
		return 0;
	return sk->state == 1; /* BUG: no bpf_sk_release(sk) */
}

char LICENSE[] SEC("license") = "GPL";
