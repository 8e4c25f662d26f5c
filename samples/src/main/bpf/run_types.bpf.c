// SPDX-License-Identifier: GPL-2.0
/*
 * run_types: program types a test drives with BPF_PROG_TEST_RUN that the
 * other samples do not cover, each reading its context in a way a test can
 * check.
 *
 *  - lwt_in_v4 (SEC("lwt_in")): BPF_OK for an IPv4 packet, BPF_DROP for
 *    anything else. LWT programs see the packet from the network header.
 *  - lwt_xmit_count (SEC("lwt_xmit")): counts runs in .bss `lwt_runs` and
 *    the bytes it saw in `lwt_bytes`; BPF_OK.
 *  - tc_ctx (SEC("tc")): reads the __sk_buff fields a test run takes as
 *    input and answers through the ones it writes back: priority =
 *    mark + 1, cb[0] = len, cb[1] = cb[4] (copied), tstamp unchanged.
 *    Returns TC_ACT_SHOT when mark is 0, else TC_ACT_OK.
 *  - raw_args (SEC("raw_tp/sys_enter")): returns args[0] + args[1] and
 *    stores args[1] in .bss `last_arg`.
 *  - xdp_meta (SEC("xdp")): returns XDP_PASS and, when the frame carries at
 *    least 4 bytes of metadata, copies its first u32 into .bss `meta_seen`;
 *    the ingress ifindex and rx queue go to `seen_ifindex`, `seen_queue`.
 *  - xdp_grow (SEC("xdp")): grows the frame by 4 bytes at the front with
 *    bpf_xdp_adjust_head and writes 0xdeadbeef there; XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u64 lwt_runs;
__u64 lwt_bytes;
__u64 last_arg;
__u32 meta_seen;
__u32 seen_ifindex;
__u32 seen_queue;

SEC("lwt_in")
int lwt_in_v4(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > data_end)
		return BPF_DROP;
	return ip->version == 4 ? BPF_OK : BPF_DROP;
}

SEC("lwt_xmit")
int lwt_xmit_count(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&lwt_runs, 1);
	__sync_fetch_and_add(&lwt_bytes, skb->len);
	return BPF_OK;
}

SEC("tc")
int tc_ctx(struct __sk_buff *skb)
{
	skb->priority = skb->mark + 1;
	skb->cb[0] = skb->len;
	skb->cb[1] = skb->cb[4];
	return skb->mark == 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("raw_tp/sys_enter")
int raw_args(struct bpf_raw_tracepoint_args *ctx)
{
	last_arg = ctx->args[1];
	return ctx->args[0] + ctx->args[1];
}

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	__u32 *meta = (void *)(long)ctx->data_meta;

	if ((void *)(meta + 1) <= data)
		meta_seen = *meta;
	seen_ifindex = ctx->ingress_ifindex;
	seen_queue = ctx->rx_queue_index;
	return XDP_PASS;
}

SEC("xdp")
int xdp_grow(struct xdp_md *ctx)
{
	__u32 *front;

	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_ABORTED;
	front = (void *)(long)ctx->data;
	if ((void *)(front + 1) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	*front = bpf_htonl(0xdeadbeef);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
