// SPDX-License-Identifier: GPL-2.0
/* rejected_too_large: 1,000,002 instructions, over the 1,000,000 a privileged loader may hand the kernel.
 * The kernel refuses the size (E2BIG) before the verifier runs, so there is no log.
 * Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int too_large(struct xdp_md *ctx)
{
	asm volatile(".rept 1000000\n\tr0 = 0\n\t.endr" ::: "r0"); /* BUG: a million instructions */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
