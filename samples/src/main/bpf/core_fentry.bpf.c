// SPDX-License-Identifier: GPL-2.0
/* An fentry program with CO-RE reads of its BTF-typed argument. Its attach BTF id is do_nanosleep's.
 * Test: the relocations and the attach id are computed; kernels that refuse BPF trampolines (as this
 * machine's does, EPERM even for root) get a clear error naming the target. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

u64 sleeps;
u64 last_expires;

SEC("fentry/do_nanosleep")
int BPF_PROG(on_nanosleep, struct hrtimer_sleeper *sleeper, enum hrtimer_mode mode)
{
	sleeps++;
	last_expires = BPF_CORE_READ(sleeper, timer.node.expires);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
