// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf: XDP programs submitting records to a ring buffer, for RingBuffer's tests: whole
 * struct ttl_event records, an 8-byte record shorter than the struct, and a discarded one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* One record per run of ttl_event (16 bytes). */
struct ttl_event {
	__u64 seq;	/* run number of any program, from 1 */
	__u8 old_ttl;	/* 64 */
	__u8 new_ttl;	/* 63 */
	__u16 pad;
	__u32 len;	/* data_end - data */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
	__type(value, struct ttl_event);	/* the record type: RingBuffer's, the kernel never sees it */
} events SEC(".maps");

__u64 seq;

SEC("xdp")
int ttl_event(struct xdp_md *ctx)
{
	struct ttl_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return XDP_ABORTED;
	e->seq = __sync_add_and_fetch(&seq, 1);
	e->old_ttl = 64;
	e->new_ttl = 63;
	e->pad = 0;
	e->len = ctx->data_end - ctx->data;
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

/* an 8-byte record (the run number): not a struct ttl_event */
SEC("xdp")
int short_record(struct xdp_md *ctx)
{
	__u64 s = __sync_add_and_fetch(&seq, 1);

	return bpf_ringbuf_output(&events, &s, sizeof(s), 0) ? XDP_ABORTED : XDP_PASS;
}

/* a record reserved, then discarded: the reader skips it */
SEC("xdp")
int discarded(struct xdp_md *ctx)
{
	struct ttl_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return XDP_ABORTED;
	bpf_ringbuf_discard(e, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
