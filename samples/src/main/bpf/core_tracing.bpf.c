// SPDX-License-Identifier: GPL-2.0
/* A tp_btf program written against vmlinux.h: BTF-typed tracepoint arguments read directly and through
 * BPF_CORE_READ (nested fields), and the kfuncs bpf_task_acquire/bpf_task_release.
 * Test: it loads (its attach BTF id is btf_trace_sched_switch's); bpftool loads the same object. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

pid_t last_next_pid;
pid_t last_prev_tgid;
u64 last_prev_start;
u32 switches;

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *t = bpf_task_acquire(next);

	if (t) {
		last_next_pid = t->pid;
		bpf_task_release(t);
	}
	last_prev_tgid = BPF_CORE_READ(prev, tgid);
	last_prev_start = BPF_CORE_READ(prev, se.exec_start);
	switches++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
