// SPDX-License-Identifier: GPL-2.0
/*
 * live_uprobe: uprobes on user-space functions, attached in the live kernel.
 *
 *  - on_add (SEC("uprobe"), attached by the test to bpfunit_add in the
 *    project's native library libbpfunit_target.so): sends the two int
 *    arguments (x86_64: rdi, rsi) as a struct call through ring buffer
 *    `calls`;
 *  - on_add_return (SEC("uretprobe"), same function): sends the return value
 *    (rax);
 *  - libc_getpid (SEC("uprobe/libc.so.6:getpid"), the libbpf form naming the
 *    library and the function): counts getpid() calls into .bss
 *    `libc_getpid_calls`.
 * Only the process whose tgid is .rodata `filter_pid` is reported (0: all).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define CALL_ENTRY 1
#define CALL_RETURN 2

struct call {
	__u32 kind;	/* CALL_ENTRY or CALL_RETURN */
	__u32 tid;
	__s32 a;	/* first argument (entry) */
	__s32 b;	/* second argument (entry) */
	__s64 ret;	/* return value (return) */
};

const volatile __u32 filter_pid = 0;

__u64 libc_getpid_calls = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} calls SEC(".maps");

static __always_inline int ours(void)
{
	return !filter_pid || (__u32)(bpf_get_current_pid_tgid() >> 32) == filter_pid;
}

static __always_inline void send(__u32 kind, __s32 a, __s32 b, __s64 ret)
{
	struct call *c = bpf_ringbuf_reserve(&calls, sizeof(*c), 0);

	if (!c)
		return;
	c->kind = kind;
	c->tid = (__u32)bpf_get_current_pid_tgid();
	c->a = a;
	c->b = b;
	c->ret = ret;
	bpf_ringbuf_submit(c, 0);
}

SEC("uprobe")
int on_add(struct pt_regs *ctx)
{
	if (ours())
		send(CALL_ENTRY, (__s32)ctx->di, (__s32)ctx->si, 0);
	return 0;
}

SEC("uretprobe")
int on_add_return(struct pt_regs *ctx)
{
	if (ours())
		send(CALL_RETURN, 0, 0, (__s32)ctx->ax);
	return 0;
}

SEC("uprobe/libc.so.6:getpid")
int libc_getpid(struct pt_regs *ctx)
{
	if (ours())
		__sync_fetch_and_add(&libc_getpid_calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
