package dev.bpfunit.btf;

/**
 * One {@code bpf_func_info} record: the function starting at instruction {@code insnOffset} has BTF FUNC {@code typeId}.
 *
 * @param insnOffset in 8-byte instruction slots (the ELF's .BTF.ext holds byte offsets; they are converted)
 */
public record FuncInfo(int insnOffset, int typeId) {
    public FuncInfo withInsnOffset(int insnOffset) {
        return new FuncInfo(insnOffset, typeId);
    }
}
