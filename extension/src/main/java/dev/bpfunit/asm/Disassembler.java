package dev.bpfunit.asm;

import static dev.bpfunit.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns instructions into the text the kernel verifier and bpftool print.
 *
 * <p>The syntax is that of the kernel's {@code kernel/bpf/disasm.c}: {@code r1 = *(u32 *)(r1 +4)},
 * {@code if w2 s> 0x5 goto pc+3}, {@code lock *(u64 *)(r1 +0) += r2}, {@code call bpf_map_lookup_elem#1}.
 * Where the kernel needs context this class lacks it follows bpftool: a 64-bit constant is
 * {@code r0 = 0x1234 ll}, a map reference {@code r1 = map[fd:5]} or {@code r1 = map[fd:5][0]+8}
 * (before loading, the immediate is a file descriptor or 0), a subprogram address {@code subprog[+3]}.
 * An opcode the kernel does not define is shown as {@code invalid opcode 0xNN} rather than thrown,
 * so that a dump of a broken program still shows every slot.
 */
public final class Disassembler {
    private static final String[] LDST = {"u32", "u16", "u8", "u64"};
    private static final String[] LDSX = {"s32", "s16", "s8", null};

    private Disassembler() {
    }

    /**
     * Formats the instruction at {@code slot}, reading the next slot too for a 64-bit immediate load.
     *
     * @throws InvalidInstructionException if the slot is out of range, or a 64-bit load lacks its second slot
     */
    public static String format(byte[] insns, int slot) {
        Instruction insn = Instruction.decode(insns, slot);
        return text(insn, insn.isLdImm64() ? secondSlot(insns, slot) : null);
    }

    /**
     * Disassembles a whole program into lines like the verifier log's: {@code "0: (b7) r0 = 2"}. A
     * 64-bit immediate load takes two slots, so the next line's number is two higher.
     *
     * @throws InvalidInstructionException if the length is not a multiple of 8 bytes, or the last
     *                                     instruction is a 64-bit load cut in half
     */
    public static List<String> disassemble(byte[] insns) {
        if (insns == null) {
            throw new InvalidInstructionException("no instruction bytes given");
        }
        if (insns.length % INSN_SIZE != 0) {
            throw new InvalidInstructionException("instructions are " + insns.length
                    + " bytes, not a multiple of 8: the program is truncated or not BPF code");
        }
        List<String> lines = new ArrayList<>();
        int slots = insns.length / INSN_SIZE;
        for (int slot = 0; slot < slots; slot++) {
            Instruction insn = Instruction.decode(insns, slot);
            Instruction next = insn.isLdImm64() ? secondSlot(insns, slot) : null;
            lines.add(String.format("%d: (%02x) %s", slot, insn.opcode(), text(insn, next)));
            if (next != null) {
                slot++;
            }
        }
        return lines;
    }

    /**
     * The {@code BPF_FUNC_*} id of a helper named without its {@code bpf_} prefix ({@code ktime_get_ns} is 5).
     *
     * @throws IllegalArgumentException if no helper has that name
     */
    public static int helperId(String name) {
        for (int id = 0; id < Helpers.NAMES.length; id++) {
            if (Helpers.NAMES[id].equals(name)) {
                return id;
            }
        }
        throw new IllegalArgumentException("no BPF helper named '" + name + "'");
    }

    /**
     * Returns the kernel's name for a helper id, e.g. {@code "bpf_map_lookup_elem"} for 1, or
     * {@code "unknown#N"} for an id the kernel does not define.
     */
    public static String helperName(int id) {
        return id >= 0 && id < Helpers.NAMES.length ? "bpf_" + Helpers.NAMES[id] : "unknown#" + id;
    }

    /** Returns the highest helper id known, 211 ({@code bpf_cgrp_storage_delete}); the kernel adds no more helpers. */
    public static int maxHelperId() {
        return Helpers.NAMES.length - 1;
    }

    private static Instruction secondSlot(byte[] insns, int slot) {
        if (slot + 1 >= insns.length / INSN_SIZE) {
            throw new InvalidInstructionException("64-bit immediate load (ld_imm64) at slot " + slot
                    + " needs two slots, but the program ends there (" + insns.length / INSN_SIZE
                    + " slots): the instructions are truncated");
        }
        return Instruction.decode(insns, slot + 1);
    }

    private static String text(Instruction i, Instruction next) {
        String text = switch (i.bpfClass()) {
            case BPF_ALU, BPF_ALU64 -> alu(i);
            case BPF_LDX -> loadX(i);
            case BPF_ST -> store(i);
            case BPF_STX -> storeX(i);
            case BPF_LD -> load(i, next);
            default -> jump(i);
        };
        return text != null ? text : String.format("invalid opcode 0x%02x", i.opcode());
    }

    private static String alu(Instruction i) {
        char w = i.bpfClass() == BPF_ALU ? 'w' : 'r';
        boolean alu64 = w == 'r';
        int op = op(i.opcode());
        boolean x = source(i.opcode()) == BPF_X;
        int d = i.dst();
        switch (op) {
            case BPF_END:
                if (!alu64) {
                    return String.format("r%d = %s%d r%d", d, x ? "be" : "le", i.imm(), d);
                }
                return x ? null : String.format("r%d = bswap%d r%d", d, i.imm(), d);
            case BPF_NEG:
                return x ? null : String.format("%c%d = -%c%d", w, d, w, d);
            case 0xe0, 0xf0:
                return null;
            default:
                break;
        }
        if (alu64 && op == BPF_MOV && x && i.offset() == BPF_ADDR_SPACE_CAST) {
            return String.format("r%d = addr_space_cast(r%d, %d, %d)", d, i.src(), i.imm() >>> 16, i.imm() & 0xffff);
        }
        if (alu64 && op == BPF_MOV && x && i.offset() == BPF_ADDR_PERCPU) {
            return String.format("r%d = &(void __percpu *)(r%d)", d, i.src());
        }
        boolean signed = (op == BPF_DIV || op == BPF_MOD) && i.offset() == 1;
        String operator = signed ? (op == BPF_DIV ? "s/=" : "s%=") : aluOperator(op);
        if (!x) {
            return String.format("%c%d %s %d", w, d, operator, i.imm());
        }
        String cast = "";
        if (op == BPF_MOV && (i.offset() == 8 || i.offset() == 16 || i.offset() == 32)) {
            cast = "(s" + i.offset() + ")";
        }
        return String.format("%c%d %s %s%c%d", w, d, operator, cast, w, i.src());
    }

    private static String aluOperator(int op) {
        return switch (op) {
            case BPF_ADD -> "+=";
            case BPF_SUB -> "-=";
            case BPF_MUL -> "*=";
            case BPF_DIV -> "/=";
            case BPF_OR -> "|=";
            case BPF_AND -> "&=";
            case BPF_LSH -> "<<=";
            case BPF_RSH -> ">>=";
            case BPF_MOD -> "%=";
            case BPF_XOR -> "^=";
            case BPF_MOV -> "=";
            case BPF_ARSH -> "s>>=";
            default -> throw new IllegalStateException("not a binary ALU operation: " + op);
        };
    }

    private static String sizeName(int opcode) {
        return LDST[size(opcode) >> 3];
    }

    private static String loadX(Instruction i) {
        int mode = mode(i.opcode());
        String type;
        if (mode == BPF_MEM) {
            type = sizeName(i.opcode());
        } else if (mode == BPF_MEMSX) {
            type = LDSX[size(i.opcode()) >> 3];
        } else {
            return null;
        }
        return type == null ? null : String.format("r%d = *(%s *)(r%d %+d)", i.dst(), type, i.src(), i.offset());
    }

    private static String store(Instruction i) {
        int mode = mode(i.opcode());
        if (mode == BPF_MEM) {
            return String.format("*(%s *)(r%d %+d) = %d", sizeName(i.opcode()), i.dst(), i.offset(), i.imm());
        }
        // The kernel's speculation barrier (BPF_ST | BPF_NOSPEC), which appears in translated programs.
        return mode == 0xc0 ? "nospec" : null;
    }

    private static String storeX(Instruction i) {
        int mode = mode(i.opcode());
        String type = sizeName(i.opcode());
        if (mode == BPF_MEM) {
            return String.format("*(%s *)(r%d %+d) = r%d", type, i.dst(), i.offset(), i.src());
        }
        if (mode != BPF_ATOMIC) {
            return null;
        }
        String mem = String.format("(%s *)(r%d %+d)", type, i.dst(), i.offset());
        int op = i.imm();
        if (op == BPF_LOAD_ACQ) {
            return String.format("r%d = load_acquire((%s *)(r%d %+d))", i.dst(), type, i.src(), i.offset());
        }
        if (op == BPF_STORE_REL) {
            return String.format("store_release(%s, r%d)", mem, i.src());
        }
        int size = size(i.opcode());
        if (size != BPF_W && size != BPF_DW) {
            return String.format("invalid atomic operation 0x%x on %s", op, type);
        }
        String width = size == BPF_DW ? "64" : "";
        int base = op & ~BPF_FETCH;
        boolean rmw = base == BPF_ADD || base == BPF_AND || base == BPF_OR || base == BPF_XOR;
        if (rmw && (op & BPF_FETCH) == 0) {
            return String.format("lock *%s %s r%d", mem, aluOperator(base), i.src());
        }
        if (rmw) {
            String name = switch (base) {
                case BPF_ADD -> "add";
                case BPF_AND -> "and";
                case BPF_OR -> "or";
                default -> "xor";
            };
            return String.format("r%d = atomic%s_fetch_%s(%s, r%d)", i.src(), width, name, mem, i.src());
        }
        if (op == BPF_XCHG) {
            return String.format("r%d = atomic%s_xchg(%s, r%d)", i.src(), width, mem, i.src());
        }
        if (op == BPF_CMPXCHG) {
            return String.format("r0 = atomic%s_cmpxchg(%s, r0, r%d)", width, mem, i.src());
        }
        return String.format("invalid atomic operation 0x%x on %s", op, type);
    }

    private static String load(Instruction i, Instruction next) {
        int mode = mode(i.opcode());
        int size = size(i.opcode());
        if (mode == BPF_ABS && size != BPF_DW) {
            return String.format("r0 = *(%s *)skb[%d]", sizeName(i.opcode()), i.imm());
        }
        if (mode == BPF_IND && size != BPF_DW) {
            return String.format("r0 = *(%s *)skb[r%d + %d]", sizeName(i.opcode()), i.src(), i.imm());
        }
        if (!i.isLdImm64()) {
            return null;
        }
        long value = (long) next.imm() << 32 | (i.imm() & 0xffffffffL);
        long upper = next.imm() & 0xffffffffL;
        String operand = switch (i.src()) {
            case 0 -> "0x" + Long.toHexString(value) + " ll";
            case BPF_PSEUDO_MAP_FD -> "map[fd:" + i.imm() + "]";
            case BPF_PSEUDO_MAP_VALUE -> "map[fd:" + i.imm() + "][0]+" + upper;
            case BPF_PSEUDO_BTF_ID -> "ksym[btf_id:" + i.imm() + "]";
            case BPF_PSEUDO_FUNC -> String.format("subprog[%+d]", i.imm());
            case BPF_PSEUDO_MAP_IDX -> "map[idx:" + i.imm() + "]";
            case BPF_PSEUDO_MAP_IDX_VALUE -> "map[idx:" + i.imm() + "][0]+" + upper;
            default -> "0x" + Long.toHexString(value) + " ll (invalid pseudo source " + i.src() + ")";
        };
        return "r" + i.dst() + " = " + operand;
    }

    private static String jump(Instruction i) {
        boolean jmp32 = i.bpfClass() == BPF_JMP32;
        int op = op(i.opcode());
        boolean x = source(i.opcode()) == BPF_X;
        switch (op) {
            case BPF_CALL:
                return jmp32 || x ? null : call(i);
            case BPF_EXIT:
                return jmp32 || x ? null : "exit";
            case BPF_JA:
                if (jmp32) {
                    return x ? null : String.format("gotol pc%+d", i.imm());
                }
                return x ? String.format("gotox r%d", i.dst()) : String.format("goto pc%+d", i.offset());
            case BPF_JCOND:
                return jmp32 || x || i.src() != BPF_MAY_GOTO ? null : String.format("may_goto pc%+d", i.offset());
            case 0xf0:
                return null;
            default:
                break;
        }
        char w = jmp32 ? 'w' : 'r';
        String right = x ? w + Integer.toString(i.src()) : "0x" + Integer.toHexString(i.imm());
        return String.format("if %c%d %s %s goto pc%+d", w, i.dst(), jumpOperator(op), right, i.offset());
    }

    private static String jumpOperator(int op) {
        return switch (op) {
            case BPF_JEQ -> "==";
            case BPF_JGT -> ">";
            case BPF_JGE -> ">=";
            case BPF_JSET -> "&";
            case BPF_JNE -> "!=";
            case BPF_JSGT -> "s>";
            case BPF_JSGE -> "s>=";
            case BPF_JLT -> "<";
            case BPF_JLE -> "<=";
            case BPF_JSLT -> "s<";
            case BPF_JSLE -> "s<=";
            default -> throw new IllegalStateException("not a conditional jump: " + op);
        };
    }

    private static String call(Instruction i) {
        return switch (i.src()) {
            case 0 -> {
                String name = helperName(i.imm());
                yield "call " + (name.startsWith("unknown#") ? name : name + "#" + i.imm());
            }
            case BPF_PSEUDO_CALL -> String.format("call pc%+d", i.imm());
            case BPF_PSEUDO_KFUNC_CALL -> "call kernel-function#" + i.imm();
            default -> "call unknown#" + i.imm();
        };
    }
}
