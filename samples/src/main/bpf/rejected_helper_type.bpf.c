// SPDX-License-Identifier: GPL-2.0
/* rejected_helper_type: calls bpf_skb_load_bytes(), a helper for programs that see an sk_buff, from XDP.
 * The verifier refuses the call for this program type; XDP has bpf_xdp_load_bytes() instead.
 * Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int helper_type(struct xdp_md *ctx)
{
	__u8 first = 0;

	bpf_skb_load_bytes(ctx, 0, &first, 1); /* BUG: an sk_buff helper in XDP */
	return first ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
