// SPDX-License-Identifier: GPL-2.0
/*
 * sk_msg_count: an sk_msg program that counts what the sockets of a sockhash
 * send.
 *
 * Shows: SK_MSG attached to a SOCKHASH map (BPF_PROG_ATTACH with the map as
 * target): it runs on every sendmsg() of a TCP socket in the map, sees the
 * message's size and lets it go (SK_PASS).
 *
 * Test live: connect two TCP sockets, put the client in socks, attach, send:
 * the server receives the bytes and msgs/bytes count them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 msgs = 0;
__u64 bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

SEC("sk_msg")
int sk_msg_count(struct sk_msg_md *msg)
{
	__sync_fetch_and_add(&msgs, 1);
	__sync_fetch_and_add(&bytes, msg->size);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
