// SPDX-License-Identifier: GPL-2.0
/* A typed __ksym: the per-CPU variable bpf_prog_active, resolved to its vmlinux BTF id
 * (BPF_PSEUDO_BTF_ID) and read with bpf_this_cpu_ptr().
 * Test: loads where kallsyms lists data symbols (CONFIG_KALLSYMS_ALL); elsewhere the kernel rejects it with
 * "ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'", as it does for libbpf. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

int prog_active;

SEC("tc")
int core_typed_ksym(struct __sk_buff *skb)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);

	prog_active = *active;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
