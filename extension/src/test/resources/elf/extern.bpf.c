// SPDX-License-Identifier: GPL-2.0
/* Fixture for the ELF reader: undefined symbols (a kconfig extern, a weak one and a kfunc), a
 * callback passed by address (ld_imm64 of a function) and a static subprogram. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_JIT __kconfig __weak;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

static int add_index(__u32 index, void *ctx)
{
	*(int *)ctx += index;
	return 0;
}

SEC("tc")
int ext(struct __sk_buff *skb)
{
	int sum = 0;

	bpf_rcu_read_lock();
	bpf_loop(10, add_index, &sum, 0);
	bpf_rcu_read_unlock();
	return sum + LINUX_KERNEL_VERSION + CONFIG_BPF_JIT;
}

char LICENSE[] SEC("license") = "GPL";
