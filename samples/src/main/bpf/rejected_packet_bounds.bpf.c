// SPDX-License-Identifier: GPL-2.0
/* rejected_packet_bounds: reads the Ethernet header without comparing it against data_end first.
 * The verifier refuses the read ("invalid access to packet"). Test: RejectionCauseTest. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int packet_bounds(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if (eth->h_proto == 0) /* BUG: no check of eth + 1 against ctx->data_end */
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
