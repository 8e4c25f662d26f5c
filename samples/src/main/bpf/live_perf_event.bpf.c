// SPDX-License-Identifier: GPL-2.0
/*
 * live_perf_event: a perf_event program sampling the CPU clock on every CPU,
 * counting the samples taken while a thread of the process whose tgid is
 * .rodata `filter_pid` was running into the per-CPU array `samples`.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u32 filter_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} samples SEC(".maps");

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
	__u32 zero = 0;
	__u64 *n;

	if (filter_pid && (__u32)(bpf_get_current_pid_tgid() >> 32) != filter_pid)
		return 0;
	n = bpf_map_lookup_elem(&samples, &zero);
	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
