// SPDX-License-Identifier: GPL-2.0
/*
 * rate_limit: a token-bucket rate limiter for XDP.
 *
 * Shows: logic that depends on bpf_ktime_get_ns(). The bucket holds at most
 * `burst` tokens and gains one every `interval_ns`; each packet takes one or
 * is dropped. Tests load it with a deterministic clock (bpfunit's TestClock)
 * and drive it through the exact refill boundaries.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bucket {
	__u64 tokens;	/* tokens left */
	__u64 last_ns;	/* when the last whole token was added */
	__u64 started;	/* 0 until the first packet fills the bucket */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bucket);
} buckets SEC(".maps");

const volatile __u64 burst = 5;
const volatile __u64 interval_ns = 100000000;	/* 10 tokens a second */

SEC("xdp")
int rate_limit(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct bucket *b = bpf_map_lookup_elem(&buckets, &key);
	__u64 now, add;

	if (!b)
		return XDP_ABORTED;
	now = bpf_ktime_get_ns();
	if (!b->started) {
		b->started = 1;
		b->tokens = burst;
		b->last_ns = now;
	}
	add = (now - b->last_ns) / interval_ns;
	if (add) {
		b->tokens += add;
		if (b->tokens > burst)
			b->tokens = burst;
		b->last_ns += add * interval_ns;
	}
	if (b->tokens == 0)
		return XDP_DROP;
	b->tokens--;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
