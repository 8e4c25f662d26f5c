// SPDX-License-Identifier: GPL-2.0
/*
 * globals: global variables in every section a loader must turn into maps.
 *
 * Shows:
 *  - .data           `filter_pid`, set by userspace before or after load
 *                    (the FILTER_PID pattern of libbpf-tools),
 *  - .bss            `runs` and `packets`, zeroed counters the programs bump,
 *  - .rodata         `const volatile` settings, frozen after load,
 *  - .data.custom    and .rodata.custom: user-named sections, each its own map.
 *
 * Two test-runnable programs read them:
 *  - globals_syscall (SEC("syscall")): test-run with a struct call_args as
 *    ctx_in; returns 0 when filter_pid >= 0 and differs from args->pid,
 *    otherwise args->value * scale + custom_bias + custom_offset.
 *    With the defaults below: value * 2 + 7 + 11.
 *  - globals_xdp (SEC("xdp")): returns XDP_PASS for the first max_packets
 *    runs, XDP_DROP after that.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Context a test passes to globals_syscall through BPF_PROG_TEST_RUN ctx_in. */
struct call_args {
	__s32 pid;
	__u32 value;
};

/* .data: only calls from this pid count; -1 matches every pid. */
volatile __s32 filter_pid = -1;

/* .bss: how many times each program ran. */
volatile __u64 runs;
volatile __u64 packets;

/* .rodata: set by userspace before load, constants to the verifier. */
const volatile __u32 scale = 2;
const volatile __u64 max_packets = 3;

/* User-named sections: libbpf makes one map per section. */
volatile __u32 custom_bias SEC(".data.custom") = 7;
const volatile __u32 custom_offset SEC(".rodata.custom") = 11;

SEC("syscall")
int globals_syscall(struct call_args *args)
{
	__sync_fetch_and_add(&runs, 1);
	if (filter_pid >= 0 && args->pid != filter_pid)
		return 0;
	return args->value * scale + custom_bias + custom_offset;
}

SEC("xdp")
int globals_xdp(struct xdp_md *ctx)
{
	__u64 seen = __sync_fetch_and_add(&packets, 1);

	return seen < max_packets ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
