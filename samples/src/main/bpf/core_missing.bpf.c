// SPDX-License-Identifier: GPL-2.0
/* A CO-RE read of a field that no kernel's task_struct has, not guarded: the relocation cannot be
 * satisfied, its instruction is poisoned, and the verifier rejects the program at that instruction.
 * Test: loading fails with a VerifierException that names the relocation in words. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___bpfunit {
	int bpfunit_no_such_field;
} __attribute__((preserve_access_index));

int seen;

SEC("tp_btf/sched_switch")
int core_missing(u64 *ctx)
{
	struct task_struct___bpfunit *t = (void *)bpf_get_current_task();

	seen = BPF_CORE_READ(t, bpfunit_no_such_field);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
