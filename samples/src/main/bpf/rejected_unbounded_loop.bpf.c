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

	for (__u32 i = 0; i < n; i++) { /* BUG: no bound the verifier can see */
		if (i == 7) /* a test on the counter makes each iteration a different state */
			sum += 2;
		sum += i;
	}
	return sum & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
