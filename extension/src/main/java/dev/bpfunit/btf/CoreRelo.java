package dev.bpfunit.btf;

/**
 * One {@code bpf_core_relo} record: the instruction at {@code insnOffset} needs fixing for the running kernel.
 *
 * @param insnOffset   in 8-byte instruction slots (converted from the ELF's byte offsets)
 * @param typeId       the local BTF type the access starts from
 * @param accessString {@code "0:1:2"}: index into a pointer/array, then member or element indexes; for enum
 *                     value relocations the enumerator's index
 */
public record CoreRelo(int insnOffset, int typeId, String accessString, CoreReloKind kind) {
    public CoreRelo withInsnOffset(int insnOffset) {
        return new CoreRelo(insnOffset, typeId, accessString, kind);
    }
}
