// SPDX-License-Identifier: GPL-2.0
/* rejected_pointer_arithmetic: moves data_end (the end of the packet), which the verifier only lets a
 * program compare against. The verifier refuses the arithmetic ("pointer arithmetic on pkt_end
 * prohibited"). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pointer_arithmetic(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	asm volatile("%[end] += -4" : [end] "+r"(end)); /* BUG: no arithmetic on data_end */
	if (data + 4 > end)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
