// SPDX-License-Identifier: GPL-2.0
/*
 * live_printk: bpf_printk from a program attached to the getpid(2)
 * tracepoint: "bpfunit getpid from <tid>" for the process whose tgid is
 * .rodata `filter_pid`. The line goes to the kernel's trace buffer
 * (/sys/kernel/tracing/trace), where a test reads it back with TraceLog.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u32 filter_pid = 0;

SEC("tp/syscalls/sys_enter_getpid")
int printk_getpid(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (filter_pid && (__u32)(pid_tgid >> 32) != filter_pid)
		return 0;
	bpf_printk("bpfunit getpid from %u", (__u32)pid_tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
