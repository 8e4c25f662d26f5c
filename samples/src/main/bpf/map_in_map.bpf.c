// SPDX-License-Identifier: GPL-2.0
/*
 * map_in_map: maps whose values are other maps.
 *
 * Shows: the inner map's definition is given by `__array(values, struct
 * inner_map)`, the template from which the kernel learns the inner type and
 * sizes (BPF_MAP_CREATE inner_map_fd). Static `.values` put maps in slots at
 * load time, again as relocations against .maps:
 *  - outer_array  ARRAY_OF_MAPS, slot 0 = inner_a, slot 1 = inner_b;
 *  - outer_hash   HASH_OF_MAPS, key 3 = inner_b;
 *  - outer_empty  ARRAY_OF_MAPS with no static values: userspace fills it.
 *
 * inner_lookup reads outer_array[0][0] (inner_a[0]) and returns XDP_DROP when
 * that value is 1, XDP_PASS otherwise; it also counts runs in inner_b[1]
 * through outer_hash[3].
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_array SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_hash SEC(".maps") = {
	.values = { [3] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_empty SEC(".maps");

SEC("xdp")
int inner_lookup(struct xdp_md *ctx)
{
	__u32 zero = 0, one = 1, three = 3;
	__u32 *value, *runs;
	void *inner;

	inner = bpf_map_lookup_elem(&outer_hash, &three);
	if (inner) {
		runs = bpf_map_lookup_elem(inner, &one);
		if (runs)
			__sync_fetch_and_add(runs, 1);
	}

	inner = bpf_map_lookup_elem(&outer_array, &zero);
	if (!inner)
		return XDP_ABORTED;
	value = bpf_map_lookup_elem(inner, &zero);
	return value && *value == 1 ? XDP_DROP : XDP_PASS;
}

/* Touches outer_empty so its use is verified too: XDP_PASS when slot 0 holds
 * a map whose element 0 is non-zero, XDP_DROP otherwise. */
SEC("xdp")
int empty_lookup(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u32 *value;
	void *inner;

	inner = bpf_map_lookup_elem(&outer_empty, &zero);
	if (!inner)
		return XDP_DROP;
	value = bpf_map_lookup_elem(inner, &zero);
	return value && *value ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
