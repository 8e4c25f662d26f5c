// SPDX-License-Identifier: GPL-2.0
/* Fixture of LiveAttachTest: programs attached in the live kernel by @Attach. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 getpid_calls = 0;

/* every getpid(2) of any process */
SEC("tp/syscalls/sys_enter_getpid")
int count_getpid(void *ctx)
{
	__sync_fetch_and_add(&getpid_calls, 1);
	return 0;
}

/* no target in the section: needs @Attach("tp/<category>/<name>") */
SEC("tracepoint")
int count_any(void *ctx)
{
	__sync_fetch_and_add(&getpid_calls, 1);
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int printk_getpid(void *ctx)
{
	bpf_printk("live fixture getpid %u", (__u32)bpf_get_current_pid_tgid());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
