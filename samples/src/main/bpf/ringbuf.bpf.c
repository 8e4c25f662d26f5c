// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf: sending events to userspace.
 *
 * Shows two ways:
 *  - `events`, a RINGBUF (max_entries is the buffer size in bytes, a power
 *    of two multiple of the page size; no key, no value): ringbuf_event
 *    reserves a struct event, fills it and submits it;
 *  - `perf_events`, a PERF_EVENT_ARRAY declared without max_entries: libbpf
 *    sizes it to the number of possible CPUs at load time; perf_event writes
 *    the same struct with bpf_perf_event_output(BPF_F_CURRENT_CPU). With no
 *    perf event attached to the CPU's slot the helper fails (-ENOENT), which
 *    the program counts in .bss `perf_errors`.
 * Both are XDP programs, so BPF_PROG_TEST_RUN can drive them; both return
 * XDP_PASS. Each run increments .bss `seq`, copied into the event.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* One event per run. */
struct event {
	__u64 seq;		/* run number, from 1 */
	__u32 frame_len;	/* data_end - data */
	__u16 eth_proto;	/* EtherType, host order; 0 if the frame is shorter */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

__u64 seq;
__u64 ringbuf_full;
__u64 perf_errors;

/*
 * Not inlined, so that its prototype puts struct event in the object's BTF
 * (clang emits the types of globals, map definitions and function
 * signatures, not of locals): a test can then decode records by its name.
 */
static __noinline void fill(struct event *e, struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	e->seq = __sync_add_and_fetch(&seq, 1);
	e->frame_len = data_end - data;
	e->eth_proto = (void *)(eth + 1) <= data_end ? bpf_ntohs(eth->h_proto) : 0;
	e->pad = 0;
}

SEC("xdp")
int ringbuf_event(struct xdp_md *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&ringbuf_full, 1);
		return XDP_PASS;
	}
	fill(e, ctx);
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

SEC("xdp")
int perf_event(struct xdp_md *ctx)
{
	struct event e;

	fill(&e, ctx);
	if (bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e)) < 0)
		__sync_fetch_and_add(&perf_errors, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
