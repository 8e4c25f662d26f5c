package dev.bpfunit.instrument;

import static dev.bpfunit.asm.Opcodes.*;

import dev.bpfunit.asm.Disassembler;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.btf.FuncInfo;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The control flow of one linked program: its subprograms, basic blocks, each slot's successors and predecessors,
 * and the registers live before each instruction (a backward data-flow analysis per subprogram).
 *
 * <p>Liveness is conservative where that is safe for rewriting: a helper, kfunc or bpf-to-bpf call reads r1-r5 and
 * writes r0-r5 (as the verifier marks r1-r5 unreadable after it); an atomic instruction reads all its registers and
 * is not counted as writing any; a legacy packet load ({@code BPF_ABS}/{@code BPF_IND}) reads r6 and writes r0-r5;
 * {@code exit} reads r0; a call that never returns ({@code bpf_throw}) reads r1 and ends the path. A register not live before an instruction may be overwritten there without changing what
 * the program computes, and the verifier, which refuses to read an uninitialised register, sees the same.
 */
final class FlowGraph {

    static final int TAIL_CALL = Disassembler.helperId("tail_call");
    private static final int ALL_REGS = (1 << 10) - 1;      // r0-r9; r10 is never written
    private static final int ARGS = 0b111110;                // r1-r5
    private static final int CALLER_SAVED = 0b111111;        // r0-r5

    final Instruction[] insns;
    /** Whether a slot starts an instruction (false for the second slot of a 64-bit immediate load). */
    final boolean[] starts;
    final TreeSet<Integer> subprograms = new TreeSet<>();
    final TreeSet<Integer> leaders = new TreeSet<>();
    /** Per slot: the number of control-flow edges that reach it (fall-through and jumps). */
    final int[] predecessors;
    /** Per slot: the registers (bit n for rn) live before it. */
    final int[] liveIn;
    /** Slots of calls that never return ({@code bpf_throw}): they end their block and the path, like exit. */
    private final java.util.Set<Integer> noReturn;

    /**
     * Slots of kfunc calls: clang writes them as pseudo calls to an undefined symbol (imm -1) that the loader
     * resolves, so they must not be read as bpf-to-bpf calls into the program.
     */
    private final java.util.Set<Integer> kfuncCalls;

    FlowGraph(byte[] code, List<FuncInfo> funcInfos) {
        this(code, funcInfos, java.util.Set.of(), java.util.Set.of());
    }

    FlowGraph(byte[] code, List<FuncInfo> funcInfos, java.util.Set<Integer> kfuncCalls,
              java.util.Set<Integer> noReturnCalls) {
        this.kfuncCalls = java.util.Set.copyOf(kfuncCalls);
        this.noReturn = java.util.Set.copyOf(noReturnCalls);
        int n = code.length / INSN_SIZE;
        insns = new Instruction[n];
        starts = new boolean[n];
        for (int i = 0; i < n; i++) {
            insns[i] = Instruction.decode(code, i);
        }
        for (int i = 0; i < n; i++) {
            starts[i] = true;
            if (insns[i].isLdImm64()) {
                i++;
            }
        }
        subprograms.add(0);
        for (FuncInfo f : funcInfos) {
            subprograms.add(f.insnOffset());
        }
        for (int i = 0; i < n; i++) {
            if (!starts[i]) {
                continue;
            }
            Instruction in = insns[i];
            if (isLocalCall(i) || in.isLdImm64() && in.src() == BPF_PSEUDO_FUNC) {
                subprograms.add(check(i, i + 1 + in.imm(), n));
            }
        }
        leaders.addAll(subprograms);
        for (int i = 0; i < n; i++) {
            if (!starts[i]) {
                continue;
            }
            Instruction in = insns[i];
            if (in.isJump()) {
                leaders.add(check(i, jumpTarget(i), n));
                if (i + 1 < n) {
                    leaders.add(i + 1);
                }
            } else if (in.isExit() || isTailCall(in) || noReturn.contains(i)) {
                if (i + 1 < n) {
                    leaders.add(i + 1);
                }
            }
        }
        predecessors = new int[n];
        for (int i = 0; i < n; i++) {
            if (starts[i]) {
                for (int s : successors(i)) {
                    predecessors[s]++;
                }
            }
        }
        liveIn = new int[n];
        computeLiveness();
    }

    private static int check(int slot, int target, int n) {
        if (target < 0 || target >= n) {
            throw new IllegalStateException("instruction " + slot + " jumps or calls outside the program (to "
                    + target + " of " + n + " slots)");
        }
        return target;
    }

    /** Whether the instruction at this slot is a bpf-to-bpf call into this program (not a kfunc call). */
    boolean isLocalCall(int slot) {
        return insns[slot].isPseudoCall() && !kfuncCalls.contains(slot);
    }

    static boolean isTailCall(Instruction in) {
        return in.isHelperCall() && in.imm() == TAIL_CALL;
    }

    /** The slot a jump goes to when taken ({@code gotol} keeps its distance in {@code imm}). */
    int jumpTarget(int slot) {
        Instruction in = insns[slot];
        boolean gotol = in.bpfClass() == BPF_JMP32 && op(in.opcode()) == BPF_JA;
        return slot + 1 + (gotol ? in.imm() : in.offset());
    }

    /** Whether the jump at this slot is conditional (may fall through), {@code may_goto} included. */
    boolean isConditional(int slot) {
        Instruction in = insns[slot];
        return in.isJump() && op(in.opcode()) != BPF_JA;
    }

    /** The slots control may reach next from this instruction, inside its subprogram. */
    int[] successors(int slot) {
        Instruction in = insns[slot];
        int next = slot + (in.isLdImm64() ? 2 : 1);
        boolean hasNext = next < insns.length && !subprograms.contains(next);
        if (in.isExit() || noReturn.contains(slot)) {
            return new int[0];
        }
        if (in.isJump()) {
            int target = jumpTarget(slot);
            if (!isConditional(slot)) {
                return new int[] {target};
            }
            return hasNext ? new int[] {next, target} : new int[] {target};
        }
        return hasNext ? new int[] {next} : new int[0];
    }

    /** The basic blocks as {@code [start, end)} slot ranges, in slot order. */
    List<int[]> blocks() {
        List<int[]> out = new ArrayList<>();
        Integer[] l = leaders.toArray(new Integer[0]);
        for (int k = 0; k < l.length; k++) {
            out.add(new int[] {l[k], k + 1 < l.length ? l[k + 1] : insns.length});
        }
        return out;
    }

    /** Registers r0-r9 that are not live before this slot, as a bit set. */
    int deadBefore(int slot) {
        return ~liveIn[slot] & ALL_REGS;
    }

    private void computeLiveness() {
        int n = insns.length;
        int[] use = new int[n];
        int[] def = new int[n];
        for (int i = 0; i < n; i++) {
            if (starts[i]) {
                long ud = useDef(insns[i]);
                use[i] = (int) (ud >>> 32);
                def[i] = (int) ud;
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = n - 1; i >= 0; i--) {
                if (!starts[i]) {
                    continue;
                }
                int out = 0;
                for (int s : successors(i)) {
                    out |= liveIn[s];
                }
                int in = use[i] | (out & ~def[i]);
                if (in != liveIn[i]) {
                    liveIn[i] = in;
                    changed = true;
                }
            }
        }
    }

    /** The registers an instruction reads (upper 32 bits) and writes for sure (lower 32 bits). */
    static long useDef(Instruction in) {
        int use;
        int def = 0;
        int dst = bit(in.dst());
        int src = bit(in.src());
        int opcode = in.opcode();
        switch (in.bpfClass()) {
            case BPF_ALU, BPF_ALU64 -> {
                int op = op(opcode);
                if (op == BPF_MOV) {
                    use = source(opcode) == BPF_X ? src : 0;
                } else if (op == BPF_NEG || op == BPF_END) {
                    use = dst;
                } else {
                    use = dst | (source(opcode) == BPF_X ? src : 0);
                }
                def = dst;
            }
            case BPF_LDX -> {
                use = src;
                def = dst;
            }
            case BPF_ST -> use = dst;
            case BPF_STX -> use = dst | src | (mode(opcode) == BPF_ATOMIC ? bit(0) : 0);
            case BPF_LD -> {
                if (in.isLdImm64()) {
                    use = 0;
                    def = dst;
                } else {                    // BPF_ABS, BPF_IND: r6 is the skb, r0-r5 are clobbered
                    use = bit(6) | (mode(opcode) == BPF_IND ? src : 0);
                    def = CALLER_SAVED;
                }
            }
            default -> {                    // BPF_JMP, BPF_JMP32
                if (in.isCall()) {
                    use = ARGS;
                    def = CALLER_SAVED;
                } else if (in.isExit()) {
                    use = bit(0);
                } else if (op(opcode) == BPF_JA || op(opcode) == BPF_JCOND) {
                    use = 0;
                } else {
                    use = dst | (source(opcode) == BPF_X ? src : 0);
                }
            }
        }
        return ((long) (use & ALL_REGS) << 32) | (def & ALL_REGS & 0xffffffffL);
    }

    private static int bit(int reg) {
        return reg < 10 ? 1 << reg : 0;
    }
}
