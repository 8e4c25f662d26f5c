// SPDX-License-Identifier: GPL-2.0
/*
 * hidden_func: a global function with hidden visibility (__hidden).
 *
 * Shows: libbpf marks the BTF of a global function whose symbol is hidden
 * as static, so the verifier checks it in its caller's context. Checked as
 * a global function on its own, frame_len() would be refused: its pointer
 * argument may be NULL there ("invalid mem access 'mem_or_null'"). libbpf's
 * usdt.bpf.h relies on this (bpf_usdt_arg). Found by the selftests sweep
 * (test_usdt, test_urandom_usdt).
 *
 * xdp_hidden returns XDP_PASS (2) for a frame of at least 60 bytes, else
 * XDP_DROP (1).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((visibility("hidden"))) __noinline int frame_len(struct xdp_md *ctx, long *res)
{
	*res = ctx->data_end - ctx->data;
	return 0;
}

SEC("xdp")
int xdp_hidden(struct xdp_md *ctx)
{
	long len = 0;

	frame_len(ctx, &len);
	return len >= 60 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
