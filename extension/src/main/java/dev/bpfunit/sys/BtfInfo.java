package dev.bpfunit.sys;

/**
 * What the kernel says about a loaded BTF object ({@code struct bpf_btf_info}).
 *
 * @param id the BTF object's system-wide id
 * @param size the size of its raw data in bytes
 * @param name its name: a module's name, {@code "vmlinux"}, or empty for BTF a program loaded
 * @param kernelBtf whether it is the kernel's or a module's BTF rather than a user-loaded one
 */
public record BtfInfo(int id, int size, String name, boolean kernelBtf) {
    static final int BTF = 0;          // btf (u64 pointer), not used
    static final int BTF_SIZE = 8;     // btf_size
    static final int ID = 12;          // id
    static final int NAME = 16;        // name (u64 pointer)
    static final int NAME_LEN = 24;    // name_len
    static final int KERNEL_BTF = 28;  // kernel_btf
    /** Ends after kernel_btf. */
    static final int SIZE = 32;
}
