// SPDX-License-Identifier: GPL-2.0
/* rejected_stack_size: two functions of 320 stack bytes each, one calling the other: each fits the
 * 512-byte limit (clang accepts it), their sum does not, and the verifier refuses the call chain.
 * Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int inner(struct xdp_md *ctx)
{
	volatile char buf[320];

	buf[ctx->ingress_ifindex & 255] = 1;
	return buf[7];
}

SEC("xdp")
int stack_size(struct xdp_md *ctx)
{
	volatile char buf[320];

	buf[ctx->rx_queue_index & 255] = (char)inner(ctx);
	return buf[3] ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
