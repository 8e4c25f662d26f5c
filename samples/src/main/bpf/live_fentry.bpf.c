// SPDX-License-Identifier: GPL-2.0
/*
 * live_fentry: fentry and fexit programs (BPF trampolines) on do_sys_openat2,
 * counting the calls of the process whose tgid is .rodata `filter_pid` into
 * .bss `entries` and, at exit, the successful ones (a non-negative fd) into
 * `opened`. The kernel must allow trampolines: where it refuses them (EPERM)
 * the test is skipped with the reason.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u32 filter_pid = 0;

__u64 entries = 0;
__u64 opened = 0;

static __always_inline int ours(void)
{
	return !filter_pid || (__u32)(bpf_get_current_pid_tgid() >> 32) == filter_pid;
}

/* long do_sys_openat2(int dfd, const char __user *filename, struct open_how *how) */
SEC("fentry/do_sys_openat2")
int openat2_fentry(unsigned long long *ctx)
{
	if (ours())
		__sync_fetch_and_add(&entries, 1);
	return 0;
}

SEC("fexit/do_sys_openat2")
int openat2_fexit(unsigned long long *ctx)
{
	long ret = (long)ctx[3];	/* after the three arguments */

	if (ours() && ret >= 0)
		__sync_fetch_and_add(&opened, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
