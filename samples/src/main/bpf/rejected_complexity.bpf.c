// SPDX-License-Identifier: GPL-2.0
/* rejected_complexity: no loop, but 2^20 paths the verifier cannot prune: each branch adds a different
 * bit to an offset that is later compared with a constant, so every path's offset is a distinct constant
 * the verifier must keep apart.
 * The verifier gives up at a million instructions. Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int complexity(struct xdp_md *ctx)
{
	__u64 bits = bpf_get_prandom_u32();
	__u32 off = 0;
#pragma unroll
	for (int i = 0; i < 20; i++)
		if (bits & (1ULL << i)) {
			off += 1U << i;
			asm volatile("" : "+r"(off)); /* keeps the branch: no select instead */
		}
	if (off == 0xabcde) /* decided on every path: off must be tracked exactly */
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
