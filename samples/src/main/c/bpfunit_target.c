// SPDX-License-Identifier: GPL-2.0
/*
 * libbpfunit_target.so: a tiny native library the samples' tests call through
 * JNA, so that uprobes have a user-space function of the project's own to
 * attach to. Built by gcc in the samples' Maven build (generate-test-resources)
 * into target/native/.
 */

/* noinline and an empty asm: the function stays a real call with a symbol. */
__attribute__((noinline, visibility("default")))
int bpfunit_add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}
