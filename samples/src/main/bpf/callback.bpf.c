// SPDX-License-Identifier: GPL-2.0
/*
 * callback: helpers that call back into BPF code.
 *
 * Shows: a callback passed to a helper is not called with BPF_PSEUDO_CALL
 * but loaded as a function address: an ld_imm64 with src_reg
 * BPF_PSEUDO_FUNC whose immediate the loader must point at the callback's
 * copy inside the program.
 *  - loop_sum (SEC("xdp")) runs bpf_loop 10 times; the callback adds each
 *    index to a sum (0 + 1 + ... + 9 = 45) and stores it in .bss `loop_result`.
 *  - map_sum (SEC("xdp")) walks the ARRAY `numbers` with
 *    bpf_for_each_map_elem, summing the values into .bss `map_result`;
 *    returns XDP_PASS when the sum is even, XDP_DROP when it is odd.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} numbers SEC(".maps");

__u64 loop_result;
__u64 map_result;

struct sum_ctx {
	__u64 sum;
};

static int add_index(__u32 index, void *data)
{
	struct sum_ctx *c = data;

	c->sum += index;
	return 0;	/* 0: go on, 1: stop */
}

static long add_value(void *map, __u32 *key, __u64 *value, void *data)
{
	struct sum_ctx *c = data;

	c->sum += *value;
	return 0;
}

SEC("xdp")
int loop_sum(struct xdp_md *ctx)
{
	struct sum_ctx c = {};

	bpf_loop(10, add_index, &c, 0);
	loop_result = c.sum;
	return XDP_PASS;
}

SEC("xdp")
int map_sum(struct xdp_md *ctx)
{
	struct sum_ctx c = {};

	bpf_for_each_map_elem(&numbers, add_value, &c, 0);
	map_result = c.sum;
	return c.sum % 2 == 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
