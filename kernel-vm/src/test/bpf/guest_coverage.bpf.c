// SPDX-License-Identifier: GPL-2.0
/*
 * guest_coverage: an XDP program with two paths, for MatrixCoverageTest: the
 * host runs a short packet, the guest a long one, and the merged report must
 * show both paths and which kernel ran which.
 *
 * Built (clang 14) from this directory:
 *   clang -O2 -g -target bpf -Wall -Werror -I/usr/include/x86_64-linux-gnu \
 *     -fdebug-prefix-map=$PWD=. -c guest_coverage.bpf.c \
 *     -o ../resources/bpf/guest_coverage.bpf.o && llvm-strip -g ../resources/bpf/guest_coverage.bpf.o
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 short_packets = 0;
__u64 long_bytes = 0;

SEC("xdp")
int by_length(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;

	if (len > 100) {
		long_bytes += len;
		asm volatile("" ::: "memory"); /* keeps the paths apart */
		return XDP_DROP;
	}
	short_packets++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
