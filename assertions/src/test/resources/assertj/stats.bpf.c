// SPDX-License-Identifier: GPL-2.0
/* stats: per-CPU counters with a struct value and a hash map of structs, for the map assertions' tests. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counter);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct counter);
} by_len SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 slot = 2;
	struct counter *c = bpf_map_lookup_elem(&per_cpu, &slot);
	struct counter init = {1, len};

	if (c) {
		c->packets++;
		c->bytes += len;
	}
	bpf_map_update_elem(&by_len, &len, &init, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
