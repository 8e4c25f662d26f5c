/**
 * BTF and BTF.ext without the kernel: parsing type information into a sealed interface of records
 * ({@link dev.bpfunit.btf.Btf}, {@link dev.bpfunit.btf.BtfType}), func/line info and CO-RE relocation records
 * ({@link dev.bpfunit.btf.BtfExt}), the fix-ups clang's BTF needs before {@code BPF_BTF_LOAD}
 * ({@link dev.bpfunit.btf.BtfFixups}), encoding for the kernel, and typed values ({@link dev.bpfunit.btf.BtfValue}).
 *
 * <p>This is a pure layer: it makes no system calls and uses nothing of bpfunit but
 * {@link dev.bpfunit.error.BpfException}. The only file it reads is a BTF file named by the caller, or
 * {@code /sys/kernel/btf/vmlinux}.
 */
package dev.bpfunit.btf;
