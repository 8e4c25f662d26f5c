// SPDX-License-Identifier: GPL-2.0
/* rejected_ringbuf_leak: reserves ring buffer space and returns without submitting or discarding it.
 * The verifier refuses it ("Unreleased reference"). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int ringbuf_leak(struct xdp_md *ctx)
{
	__u32 *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return XDP_PASS;
	*e = ctx->ingress_ifindex;
	return XDP_PASS; /* BUG: neither bpf_ringbuf_submit(e, 0) nor bpf_ringbuf_discard(e, 0) */
}

char LICENSE[] SEC("license") = "GPL";
