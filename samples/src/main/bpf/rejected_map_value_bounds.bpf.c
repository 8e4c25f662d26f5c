// SPDX-License-Identifier: GPL-2.0
/* rejected_map_value_bounds: indexes an 8-slot array in a map value with an index that may reach 15.
 * The verifier refuses the access as outside the value. Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct slots {
	__u64 slot[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slots);
} table SEC(".maps");

SEC("xdp")
int map_value_bounds(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct slots *s = bpf_map_lookup_elem(&table, &key);

	if (!s)
		return XDP_PASS;
	s->slot[ctx->rx_queue_index & 15] += 1; /* BUG: the mask allows 0..15, the array has 8 slots */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
