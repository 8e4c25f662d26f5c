// SPDX-License-Identifier: MIT
/* rejected_gpl_only: calls bpf_trace_printk(), a GPL-only helper, from a program whose license is not
 * GPL-compatible. The verifier refuses it ("cannot call GPL-restricted function"). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int gpl_only(struct xdp_md *ctx)
{
	bpf_printk("packet on %u", ctx->ingress_ifindex); /* BUG: GPL-only helper */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Proprietary";
