// SPDX-License-Identifier: GPL-2.0
/* rejected_helper_arg: passes the context pointer as the key of bpf_map_lookup_elem(), which expects a
 * pointer to stack or map memory holding the key. The verifier refuses the argument ("R2 type=ctx
 * expected=..."). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} seen SEC(".maps");

SEC("xdp")
int helper_arg(struct xdp_md *ctx)
{
	__u32 *v = bpf_map_lookup_elem(&seen, ctx); /* BUG: the key must point to stack or map memory */

	return v ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
