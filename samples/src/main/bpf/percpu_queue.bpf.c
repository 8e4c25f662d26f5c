// SPDX-License-Identifier: GPL-2.0
/*
 * percpu_queue: maps without keys, and per-CPU values.
 *
 * Shows:
 *  - `in_queue` (QUEUE) and `out_stack` (STACK) have key_size 0: userspace
 *    pushes with BPF_MAP_UPDATE_ELEM and a NULL key, pops with
 *    BPF_MAP_LOOKUP_AND_DELETE_ELEM;
 *  - `len_hist` (PERCPU_HASH): a lookup from userspace returns one value per
 *    possible CPU, each rounded up to 8 bytes.
 *
 * move_one pops one value from in_queue and pushes value * 2 onto out_stack,
 * returning XDP_PASS; when in_queue is empty it returns XDP_DROP. Either way
 * it counts the frame length in len_hist on the CPU it ran on.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __u64);
} in_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__type(value, __u64);
} out_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);	/* frame length */
	__type(value, __u64);	/* frames of that length seen on this CPU */
} len_hist SEC(".maps");

SEC("xdp")
int move_one(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u64 value, one = 1, *count;

	count = bpf_map_lookup_elem(&len_hist, &len);
	if (count)
		*count += 1;	/* per-CPU slot: no atomic needed */
	else
		bpf_map_update_elem(&len_hist, &len, &one, BPF_NOEXIST);

	if (bpf_map_pop_elem(&in_queue, &value) < 0)
		return XDP_DROP;
	value *= 2;
	bpf_map_push_elem(&out_stack, &value, BPF_EXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
