// SPDX-License-Identifier: GPL-2.0
/* rejected_ctx_access: reads 8 bytes at offset 4 of struct xdp_md, whose fields are 4-byte values.
 * The verifier refuses it ("invalid bpf_context access off=4 size=8"). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ctx_access(struct xdp_md *ctx)
{
	__u64 both = *(__u64 *)((char *)ctx + 4); /* BUG: no 8-byte field at offset 4 */

	return both ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
