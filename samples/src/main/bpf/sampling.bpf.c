// SPDX-License-Identifier: GPL-2.0
/*
 * sampling: counts every packet and samples about one in `one_in` of them at
 * random, recording the sampled packet's length, the CPU and the time.
 *
 * Shows: logic that depends on bpf_get_prandom_u32(), bpf_get_smp_processor_id()
 * and bpf_ktime_get_ns(). Tests load it with a seeded random sequence and
 * predict exactly which packets are sampled.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 one_in = 8;

__u64 packets = 0;
__u64 sampled = 0;
__u64 sampled_mask = 0;		/* bit i: packet i (of the first 64) was sampled */
__u32 last_cpu = 0;
__u64 last_ns = 0;

SEC("xdp")
int sample(struct xdp_md *ctx)
{
	__u64 n = packets++;

	if (bpf_get_prandom_u32() % one_in == 0) {
		sampled++;
		if (n < 64)
			sampled_mask |= 1ULL << n;
		last_cpu = bpf_get_smp_processor_id();
		last_ns = bpf_ktime_get_ns();
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
