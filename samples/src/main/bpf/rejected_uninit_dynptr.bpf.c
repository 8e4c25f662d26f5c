// SPDX-License-Identifier: GPL-2.0
/* rejected_uninit_dynptr: passes a dynptr that nothing initialised to bpf_dynptr_read() as its
 * third argument. The verifier refuses it ("Expected an initialized dynptr as arg #..").
 * Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int uninit_dynptr(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	char buf[4] = {};

	bpf_dynptr_read(buf, sizeof(buf), &ptr, 0, 0); /* BUG: ptr was never initialised */
	return buf[0] ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
