// SPDX-License-Identifier: GPL-2.0
/* rejected_rodata_write: writes to a const volatile global, which lives in the read-only .rodata map.
 * The verifier refuses the store ("write into map forbidden"). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 limit = 10;

SEC("xdp")
int rodata_write(struct xdp_md *ctx)
{
	*(volatile __u32 *)&limit = ctx->ingress_ifindex; /* BUG: .rodata is read-only for programs */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
