// SPDX-License-Identifier: GPL-2.0
/*
 * live_tracepoint: programs attached in the live kernel to the system-call
 * tracepoints, counting only the calls of one process.
 *
 *  - count_openat (SEC("tp/syscalls/sys_enter_openat")): counts openat(2)
 *    calls into the per-CPU hash `openat_calls`, keyed by thread id, for the
 *    process whose tgid is the .rodata `filter_pid` (FILTER_PID, set before
 *    load; 0 counts every process);
 *  - raw_getpid (SEC("raw_tp/sys_enter")): a raw tracepoint on every
 *    system-call entry, counting getpid(2) (x86_64 number 39) of filter_pid
 *    into .bss `raw_getpid_calls`;
 *  - btf_getpid (SEC("tp_btf/sys_enter")): the same through the BTF-typed
 *    tracepoint, into .bss `btf_getpid_calls`.
 * A test attaches them with attach()/attachAll() (the sections name the
 * targets), makes the calls from its thread and reads the counts.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NR_GETPID_X86_64 39

const volatile __u32 filter_pid = 0;

__u64 raw_getpid_calls = 0;
__u64 btf_getpid_calls = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);	/* thread id */
	__type(value, __u64);	/* openat calls */
} openat_calls SEC(".maps");

static __always_inline int ours(__u64 pid_tgid)
{
	return !filter_pid || (__u32)(pid_tgid >> 32) == filter_pid;
}

SEC("tp/syscalls/sys_enter_openat")
int count_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	__u64 one = 1, *n;

	if (!ours(pid_tgid))
		return 0;
	n = bpf_map_lookup_elem(&openat_calls, &tid);
	if (n) {
		*n += 1;	/* this CPU's slot: no other CPU writes it */
		return 0;
	}
	if (bpf_map_update_elem(&openat_calls, &tid, &one, BPF_NOEXIST)) {
		/* another CPU inserted the key first: count in this CPU's slot */
		n = bpf_map_lookup_elem(&openat_calls, &tid);
		if (n)
			*n += 1;
	}
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_getpid(struct bpf_raw_tracepoint_args *ctx)
{
	/* sys_enter(struct pt_regs *regs, long id) */
	if (ctx->args[1] == NR_GETPID_X86_64 && ours(bpf_get_current_pid_tgid()))
		__sync_fetch_and_add(&raw_getpid_calls, 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int btf_getpid(unsigned long long *ctx)
{
	if (ctx[1] == NR_GETPID_X86_64 && ours(bpf_get_current_pid_tgid()))
		__sync_fetch_and_add(&btf_getpid_calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
