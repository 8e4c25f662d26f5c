// SPDX-License-Identifier: GPL-2.0
/* rejected_uninit_register: reads register r9 before anything wrote it (the C equivalent is an
 * uninitialised local the compiler kept in a register). The verifier refuses it ("R9 !read_ok").
 * Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int uninit_register(struct xdp_md *ctx)
{
	long v;

	asm volatile("%[v] = r9" : [v] "=r"(v)); /* BUG: r9 holds nothing at entry */
	return v ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
