// SPDX-License-Identifier: GPL-2.0
/*
 * optional_prog: a program that is loaded only when asked for.
 *
 * Shows libbpf's SEC("?...") convention: xdp_optional's section starts with
 * '?', so it is an XDP program that the loader leaves out unless asked for
 * (libbpf: bpf_program__set_autoload; bpfunit: loader.autoload(name)).
 * Found by the selftests sweep (17 objects use it).
 *
 * xdp_always passes every frame; xdp_optional drops every frame.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_always(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("?xdp")
int xdp_optional(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
