package dev.bpfunit.asm;

/**
 * Names the fields of a BPF instruction's opcode byte and the special values of its other fields,
 * as defined by {@code include/uapi/linux/bpf.h} and {@code bpf_common.h}.
 *
 * <p>An opcode is {@code class | size | mode} for loads and stores and {@code class | op | source}
 * for arithmetic and jumps; the masks below take it apart.
 */
public final class Opcodes {
    private Opcodes() {
    }

    // Instruction classes (low three bits).
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ST = 0x02;
    public static final int BPF_STX = 0x03;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_JMP32 = 0x06;
    public static final int BPF_ALU64 = 0x07;

    // Access sizes (bits 3-4 of a load or store).
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;
    public static final int BPF_DW = 0x18;

    // Modes (bits 5-7 of a load or store).
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_IND = 0x40;
    public static final int BPF_MEM = 0x60;
    public static final int BPF_MEMSX = 0x80;
    public static final int BPF_ATOMIC = 0xc0;
    /** The old name of {@link #BPF_ATOMIC}, when only atomic add existed. */
    public static final int BPF_XADD = 0xc0;

    // Arithmetic operations (bits 4-7 of an ALU or ALU64 opcode).
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_NEG = 0x80;
    public static final int BPF_MOD = 0x90;
    public static final int BPF_XOR = 0xa0;
    public static final int BPF_MOV = 0xb0;
    public static final int BPF_ARSH = 0xc0;
    public static final int BPF_END = 0xd0;

    // Jump operations (bits 4-7 of a JMP or JMP32 opcode).
    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;
    public static final int BPF_JNE = 0x50;
    public static final int BPF_JSGT = 0x60;
    public static final int BPF_JSGE = 0x70;
    public static final int BPF_CALL = 0x80;
    public static final int BPF_EXIT = 0x90;
    public static final int BPF_JLT = 0xa0;
    public static final int BPF_JLE = 0xb0;
    public static final int BPF_JSLT = 0xc0;
    public static final int BPF_JSLE = 0xd0;
    public static final int BPF_JCOND = 0xe0;

    // Operand source (bit 3): the immediate or the source register; for BPF_END the byte order.
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;
    public static final int BPF_TO_LE = 0x00;
    public static final int BPF_TO_BE = 0x08;

    // Atomic operations, in the imm field of a BPF_STX | BPF_ATOMIC instruction.
    public static final int BPF_FETCH = 0x01;
    public static final int BPF_XCHG = 0xe0 | BPF_FETCH;
    public static final int BPF_CMPXCHG = 0xf0 | BPF_FETCH;
    public static final int BPF_LOAD_ACQ = 0x100;
    public static final int BPF_STORE_REL = 0x110;

    // Offsets that change the meaning of an ALU64 BPF_MOV | BPF_X (arena and per-CPU pointers).
    public static final int BPF_ADDR_SPACE_CAST = 1;
    public static final int BPF_ADDR_PERCPU = -1;

    // src_reg of BPF_JMP | BPF_JCOND.
    public static final int BPF_MAY_GOTO = 0;

    // src_reg of a 64-bit immediate load (BPF_LD | BPF_IMM | BPF_DW): what the immediate means.
    public static final int BPF_PSEUDO_MAP_FD = 1;
    public static final int BPF_PSEUDO_MAP_VALUE = 2;
    public static final int BPF_PSEUDO_BTF_ID = 3;
    public static final int BPF_PSEUDO_FUNC = 4;
    public static final int BPF_PSEUDO_MAP_IDX = 5;
    public static final int BPF_PSEUDO_MAP_IDX_VALUE = 6;

    // src_reg of BPF_JMP | BPF_CALL: what the call's immediate means (0 is a helper id).
    public static final int BPF_PSEUDO_CALL = 1;
    public static final int BPF_PSEUDO_KFUNC_CALL = 2;

    // Registers.
    public static final int R0 = 0;
    public static final int R1 = 1;
    public static final int R10 = 10;
    /** The number of registers a program may name, r0 to r10. */
    public static final int MAX_REG = 11;

    /** The size of one instruction slot in bytes. */
    public static final int INSN_SIZE = 8;

    // Complete opcodes that are worth a name.
    public static final int LD_IMM64 = BPF_LD | BPF_IMM | BPF_DW;
    public static final int CALL = BPF_JMP | BPF_CALL;
    public static final int EXIT = BPF_JMP | BPF_EXIT;
    /**
     * {@code callx}: a call through a register, which LLVM emits for a call through a function pointer, and so for
     * every helper call when clang compiles without optimisation ({@code -O0}); no kernel accepts it.
     */
    public static final int CALLX = BPF_JMP | BPF_CALL | BPF_X;

    public static int bpfClass(int opcode) {
        return opcode & 0x07;
    }

    public static int size(int opcode) {
        return opcode & 0x18;
    }

    public static int mode(int opcode) {
        return opcode & 0xe0;
    }

    /** Returns the ALU or jump operation of an opcode. */
    public static int op(int opcode) {
        return opcode & 0xf0;
    }

    public static int source(int opcode) {
        return opcode & 0x08;
    }

    // The constants' names, indexed by their value shifted down: what describe() prints.
    private static final String[] CLASSES = {"BPF_LD", "BPF_LDX", "BPF_ST", "BPF_STX", "BPF_ALU", "BPF_JMP",
        "BPF_JMP32", "BPF_ALU64"};
    private static final String[] SIZES = {"BPF_W", "BPF_H", "BPF_B", "BPF_DW"};
    private static final String[] MODES = {"BPF_IMM", "BPF_ABS", "BPF_IND", "BPF_MEM", "BPF_MEMSX", null,
        "BPF_ATOMIC", null};
    private static final String[] ALU_OPS = {"BPF_ADD", "BPF_SUB", "BPF_MUL", "BPF_DIV", "BPF_OR", "BPF_AND",
        "BPF_LSH", "BPF_RSH", "BPF_NEG", "BPF_MOD", "BPF_XOR", "BPF_MOV", "BPF_ARSH", "BPF_END", null, null};
    private static final String[] JMP_OPS = {"BPF_JA", "BPF_JEQ", "BPF_JGT", "BPF_JGE", "BPF_JSET", "BPF_JNE",
        "BPF_JSGT", "BPF_JSGE", "BPF_CALL", "BPF_EXIT", "BPF_JLT", "BPF_JLE", "BPF_JSLT", "BPF_JSLE", "BPF_JCOND",
        null};

    /**
     * An opcode byte taken apart into the names of its fields, as {@code bpf_common.h} spells them: {@code
     * BPF_JMP | BPF_CALL | BPF_X} for 0x8d, {@code BPF_LDX | BPF_MEM | BPF_W} for 0x61. A field value with no name
     * is shown in hex ({@code BPF_ALU64 | 0xe0 | BPF_K}). It says nothing of whether a kernel accepts the opcode.
     */
    public static String describe(int opcode) {
        int code = opcode & 0xff;
        String cls = CLASSES[bpfClass(code)];
        return switch (bpfClass(code)) {
            case BPF_LD, BPF_LDX, BPF_ST, BPF_STX -> cls + " | " + name(MODES, mode(code) >> 5, mode(code)) + " | "
                    + SIZES[size(code) >> 3];
            case BPF_ALU, BPF_ALU64 -> cls + " | " + name(ALU_OPS, op(code) >> 4, op(code)) + " | "
                    + (bpfClass(code) == BPF_ALU && op(code) == BPF_END
                    ? (source(code) == BPF_TO_BE ? "BPF_TO_BE" : "BPF_TO_LE")
                    : source(code) == BPF_X ? "BPF_X" : "BPF_K");
            default -> cls + " | " + name(JMP_OPS, op(code) >> 4, op(code)) + " | "
                    + (source(code) == BPF_X ? "BPF_X" : "BPF_K");
        };
    }

    private static String name(String[] names, int index, int value) {
        return names[index] != null ? names[index] : String.format("0x%02x", value);
    }

    /** Returns the access width in bytes of a load or store size. */
    public static int sizeBytes(int size) {
        return switch (size & 0x18) {
            case BPF_B -> 1;
            case BPF_H -> 2;
            case BPF_W -> 4;
            default -> 8;
        };
    }
}
