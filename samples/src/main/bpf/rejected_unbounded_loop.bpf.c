// SPDX-License-Identifier: GPL-2.0
/* rejected_unbounded_loop: a loop bounded only by a value from the packet's context. The verifier walks
 * it iteration after iteration until it gives up at a million instructions. Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unbounded_loop(struct xdp_md *ctx)
{
	__u32 n = ctx->ingress_ifindex;
	__u32 sum = 0;

	/* The body has no closed form, so clang keeps the loop; and no test on i: on 6.1 a test on the known
	 * counter makes the verifier backtrack its precision through every earlier iteration, its time
	 * growing with the square of the walk. */
	for (__u32 i = 0; i < n; i++) /* BUG: no bound the verifier can see */
		sum = (sum ^ i) * 31;
	return sum & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
