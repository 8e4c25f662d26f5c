// SPDX-License-Identifier: GPL-2.0
/*
 * live_kprobe: a kprobe and a kretprobe on the kernel function behind
 * open(2)/openat(2), do_sys_openat2 (Linux 5.6+), counting the calls and
 * returns of the process whose tgid is .rodata `filter_pid` into .bss
 * `entries` and `returns`. Needs CONFIG_KPROBES: on a kernel without it the
 * test is skipped with the reason.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u32 filter_pid = 0;

__u64 entries = 0;
__u64 returns = 0;

static __always_inline int ours(void)
{
	return !filter_pid || (__u32)(bpf_get_current_pid_tgid() >> 32) == filter_pid;
}

SEC("kprobe/do_sys_openat2")
int openat2_entry(struct pt_regs *ctx)
{
	if (ours())
		__sync_fetch_and_add(&entries, 1);
	return 0;
}

SEC("kretprobe/do_sys_openat2")
int openat2_return(struct pt_regs *ctx)
{
	if (ours())
		__sync_fetch_and_add(&returns, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
