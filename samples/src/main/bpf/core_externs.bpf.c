// SPDX-License-Identifier: GPL-2.0
/* __kconfig and __ksym externs: kernel configuration values of every kind (int, bool, tristate, string),
 * LINUX_KERNEL_VERSION and LINUX_HAS_SYSCALL_WRAPPER, a weak option no kernel has (0), and an untyped ksym
 * (an address from /proc/kallsyms). (Typed ksyms: core_typed_ksym.bpf.c.)
 * Test: BPF_PROG_TEST_RUN, then the globals hold the values, compared with /proc/config.gz and kallsyms. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig;
extern int CONFIG_BPFUNIT_NOT_AN_OPTION __kconfig __weak;
extern const void _text __ksym;

int kernel_version;
int syscall_wrapper;
int hz;
int bpf_syscall;
int bpf_jit;
char hostname[16];
int not_an_option;
u64 text_address;

SEC("tc")
int core_externs(struct __sk_buff *skb)
{
	kernel_version = LINUX_KERNEL_VERSION;
	syscall_wrapper = LINUX_HAS_SYSCALL_WRAPPER;
	hz = CONFIG_HZ;
	bpf_syscall = CONFIG_BPF_SYSCALL;
	bpf_jit = CONFIG_BPF_JIT;
	__builtin_memcpy(hostname, CONFIG_DEFAULT_HOSTNAME, sizeof(hostname));
	not_an_option = CONFIG_BPFUNIT_NOT_AN_OPTION;
	text_address = (u64)&_text;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
