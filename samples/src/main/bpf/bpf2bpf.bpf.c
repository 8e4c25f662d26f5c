// SPDX-License-Identifier: GPL-2.0
/*
 * bpf2bpf: BPF-to-BPF calls.
 *
 * Shows:
 *  - frame_len(), a static __noinline subprogram in .text called by two
 *    programs: the loader must append a copy of it to each program and fix
 *    the pc-relative call (BPF_PSEUDO_CALL) in both;
 *  - classify_len(), a global (non-static) function: BTF marks it
 *    BTF_FUNC_GLOBAL, so the verifier checks it once on its own, from its
 *    BTF signature, not in the context of each caller.
 *
 * xdp_small_drop drops frames shorter than 64 bytes; xdp_large_drop drops
 * frames longer than 1000 bytes; both pass everything else.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u32 frame_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

/* 0: small (< 64), 1: normal, 2: large (> 1000). */
__noinline int classify_len(__u32 len)
{
	if (len < 64)
		return 0;
	return len > 1000 ? 2 : 1;
}

SEC("xdp")
int xdp_small_drop(struct xdp_md *ctx)
{
	return classify_len(frame_len(ctx)) == 0 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_large_drop(struct xdp_md *ctx)
{
	return classify_len(frame_len(ctx)) == 2 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
