// SPDX-License-Identifier: GPL-2.0
/*
 * random_draws: each run draws one bpf_get_prandom_u32() and records it as a
 * key of `seen`; a value drawn twice counts in `duplicates`.
 *
 * Shows: a deterministic random sequence under concurrency. Tests run it from
 * several threads at once with a seed and check that the values drawn are
 * exactly the first N of the seeded sequence: none repeated, none lost.
 * Test: RandomDrawsTest.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} seen SEC(".maps");

__u64 draws = 0;
__u64 duplicates = 0;

SEC("xdp")
int draw(struct xdp_md *ctx)
{
	__u32 value = bpf_get_prandom_u32();
	__u32 one = 1;

	__sync_fetch_and_add(&draws, 1);
	if (bpf_map_update_elem(&seen, &value, &one, BPF_NOEXIST))
		__sync_fetch_and_add(&duplicates, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
