// SPDX-License-Identifier: GPL-2.0
/*
 * subprog_order: where the loader places the subprograms a program calls.
 *
 * Shows: libbpf appends a subprogram at the first call to it and links that
 * subprogram's own calls at once (depth first): here xdp_order calls
 * outer() then last(), and outer() calls inner(), so the linked program is
 * xdp_order, outer, inner, last (breadth first would give outer, last,
 * inner). The kernel's translated instructions are the same as libbpf's
 * only if the order is. Found by the selftests sweep (test_xdp_noinline).
 *
 * xdp_order returns XDP_PASS (2) for a frame of at least 60 bytes, else
 * XDP_DROP (1).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int inner(int len)
{
	return len >= 60 ? XDP_PASS : XDP_DROP;
}

static __noinline int outer(struct xdp_md *ctx)
{
	return inner(ctx->data_end - ctx->data);
}

static __noinline int last(int verdict)
{
	return verdict == XDP_PASS ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_order(struct xdp_md *ctx)
{
	return last(outer(ctx));
}

char LICENSE[] SEC("license") = "GPL";
