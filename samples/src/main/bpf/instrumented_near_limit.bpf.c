// SPDX-License-Identifier: GPL-2.0
/*
 * instrumented_near_limit: a bounded loop the verifier walks iteration by
 * iteration, sized so that the program as compiled stays under the verifier's
 * limit of 1,000,000 processed instructions (about 650,000 on 6.18) while the
 * same loop with a coverage counter per block goes over it.
 *
 * Shows: what bpfunit reports when only the instrumented program is refused
 * (InstrumentationRefusedException: both loads' outcomes, the verifier's
 * reason, and the fix: noCoverage("near_limit")). Test:
 * InstrumentationRefusedTest.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ITERATIONS 93000

SEC("xdp")
int near_limit(struct xdp_md *ctx)
{
	__u64 acc = ctx->data_end - ctx->data;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < ITERATIONS; i++) {
		acc = acc * 31 + i;
		asm volatile("" : "+r"(acc));
	}
	return (acc & 1) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
