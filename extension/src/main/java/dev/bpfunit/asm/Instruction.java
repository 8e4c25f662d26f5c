package dev.bpfunit.asm;

import static dev.bpfunit.asm.Opcodes.*;

/**
 * One 8-byte BPF instruction slot, as in the kernel's {@code struct bpf_insn}.
 *
 * <p>A 64-bit immediate load ({@link #isLdImm64()}) takes two slots: the second holds the upper
 * 32 bits of the constant in its {@code imm} and zeros elsewhere.
 *
 * @param opcode the opcode byte, 0 to 255
 * @param dst    the destination register, 0 to 15 (programs use r0 to r10)
 * @param src    the source register, 0 to 15, or a pseudo value for calls and 64-bit loads
 * @param offset the signed 16-bit offset
 * @param imm    the signed 32-bit immediate
 */
public record Instruction(int opcode, int dst, int src, int offset, int imm) {

    public Instruction {
        check(opcode, 0, 0xff, "opcode");
        check(dst, 0, 15, "dst register");
        check(src, 0, 15, "src register");
        check(offset, Short.MIN_VALUE, Short.MAX_VALUE, "offset");
    }

    private static void check(int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw new InvalidInstructionException(what + " " + value + " is out of range " + min + " to " + max);
        }
    }

    /**
     * Decodes the slot at index {@code slot} of little-endian instruction bytes.
     *
     * @throws InvalidInstructionException if the slot does not lie inside {@code insns}
     */
    public static Instruction decode(byte[] insns, int slot) {
        checkSlot(insns, slot);
        int at = slot * INSN_SIZE;
        int regs = insns[at + 1] & 0xff;
        int offset = (short) ((insns[at + 2] & 0xff) | (insns[at + 3] & 0xff) << 8);
        int imm = (insns[at + 4] & 0xff) | (insns[at + 5] & 0xff) << 8 | (insns[at + 6] & 0xff) << 16
                | (insns[at + 7] & 0xff) << 24;
        return new Instruction(insns[at] & 0xff, regs & 0x0f, regs >>> 4, offset, imm);
    }

    /**
     * Writes this instruction, little-endian, into slot {@code slot} of {@code insns}.
     *
     * @throws InvalidInstructionException if the slot does not lie inside {@code insns}
     */
    public void encodeInto(byte[] insns, int slot) {
        checkSlot(insns, slot);
        int at = slot * INSN_SIZE;
        insns[at] = (byte) opcode;
        insns[at + 1] = (byte) (src << 4 | dst);
        insns[at + 2] = (byte) offset;
        insns[at + 3] = (byte) (offset >> 8);
        insns[at + 4] = (byte) imm;
        insns[at + 5] = (byte) (imm >> 8);
        insns[at + 6] = (byte) (imm >> 16);
        insns[at + 7] = (byte) (imm >> 24);
    }

    /** Returns the 8 bytes of this instruction. */
    public byte[] encode() {
        byte[] out = new byte[INSN_SIZE];
        encodeInto(out, 0);
        return out;
    }

    static void checkSlot(byte[] insns, int slot) {
        if (insns == null) {
            throw new InvalidInstructionException("no instruction bytes given");
        }
        int slots = insns.length / INSN_SIZE;
        if (slot < 0 || slot >= slots) {
            throw new InvalidInstructionException("instruction slot " + slot + " is out of range: the program has "
                    + slots + " slots (" + insns.length + " bytes)");
        }
    }

    /** Returns the instruction class, one of {@code Opcodes.BPF_LD} to {@code Opcodes.BPF_ALU64}. */
    public int bpfClass() {
        return Opcodes.bpfClass(opcode);
    }

    /** Returns true for {@code BPF_LD | BPF_IMM | BPF_DW}, the two-slot 64-bit immediate load. */
    public boolean isLdImm64() {
        return opcode == LD_IMM64;
    }

    /** Returns true for {@code BPF_JMP | BPF_CALL}, whatever is called. */
    public boolean isCall() {
        return opcode == CALL;
    }

    /** Returns true for a call of a helper function by id ({@code src == 0}). */
    public boolean isHelperCall() {
        return isCall() && src == 0;
    }

    /** Returns true for a bpf-to-bpf call ({@code src == BPF_PSEUDO_CALL}); {@code imm} is the slot distance - 1. */
    public boolean isPseudoCall() {
        return isCall() && src == BPF_PSEUDO_CALL;
    }

    /** Returns true for a call of a kernel function by BTF id ({@code src == BPF_PSEUDO_KFUNC_CALL}). */
    public boolean isKfuncCall() {
        return isCall() && src == BPF_PSEUDO_KFUNC_CALL;
    }

    public boolean isExit() {
        return opcode == EXIT;
    }

    /**
     * Returns true for a jump inside the program: {@code goto}, {@code gotol}, {@code may_goto} or a
     * conditional jump of class JMP or JMP32; false for calls and exit.
     */
    public boolean isJump() {
        int cls = bpfClass();
        int op = Opcodes.op(opcode);
        return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT;
    }

    /** Returns true for a 64-bit immediate load whose {@code src} marks a reference to a map. */
    public boolean isMapReference() {
        return isLdImm64() && (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_VALUE
                || src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE);
    }

    public Instruction withOpcode(int newOpcode) {
        return new Instruction(newOpcode, dst, src, offset, imm);
    }

    public Instruction withDst(int newDst) {
        return new Instruction(opcode, newDst, src, offset, imm);
    }

    public Instruction withSrc(int newSrc) {
        return new Instruction(opcode, dst, newSrc, offset, imm);
    }

    public Instruction withOffset(int newOffset) {
        return new Instruction(opcode, dst, src, newOffset, imm);
    }

    public Instruction withImm(int newImm) {
        return new Instruction(opcode, dst, src, offset, newImm);
    }

    @Override
    public String toString() {
        return String.format("Instruction[op=0x%02x dst=r%d src=r%d off=%d imm=%d]", opcode, dst, src, offset, imm);
    }
}
