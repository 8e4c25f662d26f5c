// SPDX-License-Identifier: GPL-2.0
/*
 * sk_lookup_steer: an sk_lookup program that steers UDP datagrams for a range
 * of ports to one socket.
 *
 * Shows: SK_LOOKUP attached to a network namespace (a BPF link), picking the
 * receiving socket from a SOCKMAP with bpf_sk_assign, so one socket serves
 * ports nothing is bound to.
 *
 * Test live: put a UDP socket in target[0], attach, send to ports in
 * [first_port, last_port]: the socket receives them all; steered counts them.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

const volatile __u16 first_port = 8000;
const volatile __u16 last_port = 8099;
__u64 steered = 0;

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} target SEC(".maps");

SEC("sk_lookup")
int sk_lookup_steer(struct bpf_sk_lookup *ctx)
{
	__u32 zero = 0;
	struct bpf_sock *sk;
	long err;

	if (ctx->protocol != IPPROTO_UDP || ctx->local_port < first_port || ctx->local_port > last_port)
		return SK_PASS;
	sk = bpf_map_lookup_elem(&target, &zero);
	if (!sk)
		return SK_PASS;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	if (err == 0)
		__sync_fetch_and_add(&steered, 1);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
