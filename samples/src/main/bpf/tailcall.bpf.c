// SPDX-License-Identifier: GPL-2.0
/*
 * tailcall: a PROG_ARRAY filled from the object itself.
 *
 * Shows: `jmp_table` declares its initial contents with libbpf's
 * `.values = { [i] = &prog }` syntax. The ELF carries them as relocations
 * against the map's slots in .maps; the loader must load slot_drop and
 * slot_tx first, then write their fds into jmp_table.
 *
 * tail_entry tail-calls jmp_table[first byte of the frame]:
 *  0 -> slot_drop (XDP_DROP), 1 -> slot_tx (XDP_TX),
 *  2, 3 -> empty slot: the tail call falls through and tail_entry returns
 *  XDP_PASS; an empty frame returns XDP_ABORTED.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int slot_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int slot_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = {
		[0] = (void *)&slot_drop,
		[1] = (void *)&slot_tx,
	},
};

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *first = data;

	if ((void *)(first + 1) > data_end)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &jmp_table, *first);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
