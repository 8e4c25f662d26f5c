// SPDX-License-Identifier: GPL-2.0
/* setters: globals of an integer, an enum and a struct-valued map, for the tests that every way of setting a
 * value (loader.global, @Global, GlobalVariable.set, map codecs) takes the same Java values. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum mode { SLOW = 0, FAST = 1 };

struct pair {
	__u32 a;
	__u16 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pair);
} pairs SEC(".maps");

const volatile __u16 blocked_port = 0;
const volatile enum mode mode = SLOW;
__u16 live_port = 1;
enum mode live_mode = FAST;
char label[8] = "none";

SEC("xdp")
int read_all(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct pair *p = bpf_map_lookup_elem(&pairs, &key);

	if (p && p->b == blocked_port && mode == FAST && live_mode == FAST && label[0])
		return XDP_DROP + live_port - live_port;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
