// SPDX-License-Identifier: GPL-2.0
/*
 * tracing: programs whose load needs a BTF id from the kernel.
 *
 * Shows: for fentry/fexit, tp_btf and lsm programs, BPF_PROG_LOAD must carry
 * attach_btf_id, the id in /sys/kernel/btf/vmlinux of the traced function,
 * of the tracepoint's btf_trace_<name> typedef, or of the bpf_lsm_<hook>
 * function. The loader finds it from the section name:
 *  - fentry/do_nanosleep     TRACING, BPF_TRACE_FENTRY, FUNC do_nanosleep
 *  - fexit/do_nanosleep      TRACING, BPF_TRACE_FEXIT,  FUNC do_nanosleep
 *  - tp_btf/sched_switch     TRACING, BPF_TRACE_RAW_TP, TYPEDEF btf_trace_sched_switch
 *  - lsm/file_open           LSM,     BPF_LSM_MAC,      FUNC bpf_lsm_file_open
 * The context is an array of u64 arguments (fexit: the return value after
 * them). Each program counts its hits in .bss; the LSM hook allows (0).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 nanosleep_entries;
__u64 nanosleep_errors;
__u64 switches;
__u64 opens;

SEC("fentry/do_nanosleep")
int nanosleep_entry(__u64 *ctx)
{
	__sync_fetch_and_add(&nanosleep_entries, 1);
	return 0;
}

/* do_nanosleep(struct hrtimer_sleeper *t, enum hrtimer_mode mode): ctx[2] is its return. */
SEC("fexit/do_nanosleep")
int nanosleep_exit(__u64 *ctx)
{
	if ((int)ctx[2] != 0)
		__sync_fetch_and_add(&nanosleep_errors, 1);
	return 0;
}

SEC("tp_btf/sched_switch")
int on_switch(__u64 *ctx)
{
	__sync_fetch_and_add(&switches, 1);
	return 0;
}

SEC("lsm/file_open")
int on_file_open(__u64 *ctx)
{
	__sync_fetch_and_add(&opens, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
