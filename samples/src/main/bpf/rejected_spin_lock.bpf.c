// SPDX-License-Identifier: GPL-2.0
/* rejected_spin_lock: two mistakes with a bpf_spin_lock, one program each: spin_lock_held returns with
 * the lock taken; spin_lock_call calls a helper while holding it. The verifier refuses both.
 * Load one with skipProgram() on the other. Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counter {
	struct bpf_spin_lock lock;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

SEC("tc")
int spin_lock_held(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct counter *c = bpf_map_lookup_elem(&counters, &key);

	if (!c)
		return 0;
	bpf_spin_lock(&c->lock);
	c->packets++;
	return 0; /* BUG: bpf_spin_unlock(&c->lock) is missing */
}

SEC("tc")
int spin_lock_call(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct counter *c = bpf_map_lookup_elem(&counters, &key);

	if (!c)
		return 0;
	bpf_spin_lock(&c->lock);
	c->packets += bpf_get_prandom_u32() & 1; /* BUG: a helper call under the lock */
	bpf_spin_unlock(&c->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
