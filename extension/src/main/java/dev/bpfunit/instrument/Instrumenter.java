package dev.bpfunit.instrument;

import static dev.bpfunit.asm.Opcodes.*;

import dev.bpfunit.asm.Disassembler;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.btf.CoreRelo;
import dev.bpfunit.btf.FuncInfo;
import dev.bpfunit.btf.LineInfo;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.Reference;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rewrites a linked object's programs before load: basic-block counters for coverage, and calls of the time, CPU
 * and random helpers replaced by reads of values a test controls. Spec in, spec out, plus the maps it needs.
 *
 * <h2>Coverage counters</h2>
 * Each basic block gets a counter in the single value of {@link #COVERAGE_MAP}, an array with one entry, addressed
 * directly ({@code BPF_PSEUDO_MAP_VALUE}) and incremented atomically:
 * <pre>
 *   rA = map_value(bpfunit_cov) + 8 * counter     ; ld_imm64, two slots
 *   rB = 1
 *   lock *(u64 *)(rA + 0) += rB
 * </pre>
 * rA and rB are registers that are dead where the sequence goes (see {@link FlowGraph}): nothing the program reads
 * later is overwritten, so its verdicts, packets, maps and return values stay the same, and the verifier sees no
 * read of anything uninitialised. The sequence goes at the first instruction of the block where two registers are
 * dead; a block is entered only at its start and runs to its end (blocks also end after {@code bpf_tail_call}), so
 * any place in it counts the same. Where only one register is dead, the block gets a flag instead
 * ({@code *(u64 *)(rA + 0) = 1}: "ran", not how often); where none is, the block has no counter and a note says so.
 * The stack is never used, so stack depth and the 512-byte limit do not change.
 *
 * <p>A conditional jump whose fall-through block is reached from elsewhere too gets an edge counter placed between
 * the jump and that block, which jumps to the block skip; taken = executions of the jump's block - fall-throughs.
 *
 * <h2>Deterministic helpers</h2>
 * A call of {@code bpf_ktime_get_ns}, {@code bpf_ktime_get_boot_ns}, {@code bpf_ktime_get_coarse_ns},
 * {@code bpf_jiffies64}, {@code bpf_get_smp_processor_id} or {@code bpf_get_prandom_u32} is replaced by loads from
 * {@link #DETERMINISTIC_MAP} (layout in {@link DeterministicValues}) into r0, using only r0-r2, which a call
 * clobbers anyway. {@code bpf_get_prandom_u32} takes its call number from {@link #RANDOM_MAP} with one atomic
 * fetch-and-add and returns the counter-based sequence of {@link DeterministicValues} for it, so concurrent runs
 * neither repeat nor lose a value.
 *
 * <h2>bpf_throw</h2>
 * A call of the {@code bpf_throw} kfunc (BPF exceptions, 6.7+) ends the program: the block ends there with no
 * successor, as at {@code exit}, so the instructions after it are not counted as run when it throws. The exception
 * callback ({@code exception_callback:} decl tag) is a subprogram of its own with its own blocks and counters; it
 * runs, and is counted, when a throw happens.
 *
 * <h2>Keeping the rest right</h2>
 * Jump and call offsets, {@code ld_imm64} subprogram addresses (callbacks), {@code may_goto} and {@code gotol} are
 * recomputed: a jump to an instruction lands on the code inserted before it. Function and line info move with the
 * instructions (inserted code belongs to the line of the instruction it precedes), as do the slots of map and
 * extern references and of CO-RE relocations, which the loader applies afterwards.
 */
public final class Instrumenter {

    /** The name of the coverage counters' map (an array of one value of 8 bytes per counter). */
    public static final String COVERAGE_MAP = "bpfunit_cov";
    /** The name of the deterministic clock's map (an array of one {@link DeterministicValues} value). */
    public static final String DETERMINISTIC_MAP = "bpfunit_det";
    /**
     * The name of the deterministic random sequence's map (an array of one value: the calls so far and the seed,
     * see {@link DeterministicValues}); added only when a program calls {@code bpf_get_prandom_u32}.
     */
    public static final String RANDOM_MAP = "bpfunit_rand";
    /** The kfunc that raises a BPF exception (6.7+): it never returns, the program ends there. */
    static final String BPF_THROW = "bpf_throw";
    /** The kernel's limit on the maps one program uses ({@code MAX_USED_MAPS}). */
    static final int MAX_USED_MAPS = 64;

    private static final Map<Integer, Integer> DETERMINISTIC_HELPERS = Map.of(
            Disassembler.helperId("ktime_get_ns"), DeterministicValues.MONOTONIC_NS,
            Disassembler.helperId("ktime_get_boot_ns"), DeterministicValues.BOOT_NS,
            Disassembler.helperId("ktime_get_coarse_ns"), DeterministicValues.COARSE_NS,
            Disassembler.helperId("jiffies64"), DeterministicValues.JIFFIES,
            Disassembler.helperId("get_smp_processor_id"), DeterministicValues.CPU,
            Disassembler.helperId("get_prandom_u32"), -1);
    private static final int PRANDOM = Disassembler.helperId("get_prandom_u32");

    /**
     * What to instrument.
     *
     * @param coverage      basic-block counters
     * @param deterministic time, CPU and random helpers replaced
     * @param noCoverage    programs left without counters (still rewritten for the deterministic helpers): those
     *                      the verifier refuses once instrumented
     */
    public record Options(boolean coverage, boolean deterministic, Set<String> noCoverage) {
        public Options {
            noCoverage = Set.copyOf(noCoverage);
        }

        public Options(boolean coverage, boolean deterministic) {
            this(coverage, deterministic, Set.of());
        }

        public boolean any() {
            return coverage || deterministic;
        }
    }

    /**
     * The rewritten object.
     *
     * @param spec     the object with its programs rewritten and the instrumentation maps added
     * @param coverage the coverage layout, when coverage was asked for
     */
    public record Result(ObjectSpec spec, Optional<CoverageLayout> coverage) {
    }

    private Instrumenter() {
    }

    /** Rewrites every program of the object as the options say. */
    public static Result instrument(ObjectSpec spec, Options options) {
        if (!options.any()) {
            return new Result(spec, Optional.empty());
        }
        List<ProgramSpec> programs = new ArrayList<>();
        List<CoverageLayout.Block> blocks = new ArrayList<>();
        List<CoverageLayout.Branch> branches = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int[] counters = {0};
        boolean usesRandom = false;
        for (String name : options.noCoverage()) {
            spec.program(name);         // a name that is not a program fails here, listing the programs
        }
        for (ProgramSpec p : spec.programs()) {
            boolean counted = options.coverage && !options.noCoverage().contains(p.name());
            Set<String> maps = new HashSet<>();
            for (Reference r : p.references()) {
                if (r instanceof Reference.MapFd m) {
                    maps.add(m.map());
                } else if (r instanceof Reference.MapValue m) {
                    maps.add(m.map());
                }
            }
            int extra = (counted ? 1 : 0) + (options.deterministic ? 2 : 0);
            if (maps.size() + extra > MAX_USED_MAPS) {
                notes.add("program '" + p.name() + "' is not instrumented: it uses " + maps.size() + " maps and the "
                        + "kernel allows " + MAX_USED_MAPS + " per program (MAX_USED_MAPS), leaving no room for "
                        + "bpfunit's");
                programs.add(p);
                continue;
            }
            ProgramRewrite rw;
            try {
                rw = new ProgramRewrite(p, counted, options.deterministic, counters[0], notes);
            } catch (IllegalStateException e) {
                notes.add("program '" + p.name() + "' is not instrumented: " + e.getMessage());
                programs.add(p);
                continue;
            }
            programs.add(rw.result);
            counters[0] = rw.nextCounter;
            blocks.addAll(rw.blocks);
            branches.addAll(rw.branches);
            usesRandom |= rw.usesRandom;
            if (options.coverage && !counted) {
                notes.add("program '" + p.name() + "' is not instrumented for coverage: left out by the test "
                        + "(noCoverage)");
            }
        }
        List<MapSpec> maps = new ArrayList<>(spec.maps());
        if (options.coverage) {
            maps.add(new MapSpec(COVERAGE_MAP, COVERAGE_MAP, MapKind.INSTRUMENTATION, MapType.ARRAY, 4,
                    8 * Math.max(1, counters[0]), 1, 0, 0, 0, 0, 0, 0, null, List.of(), null, false));
        }
        if (options.deterministic) {
            maps.add(new MapSpec(DETERMINISTIC_MAP, DETERMINISTIC_MAP, MapKind.INSTRUMENTATION, MapType.ARRAY, 4,
                    DeterministicValues.SIZE, 1, 0, 0, 0, 0, 0, 0, null, List.of(),
                    new byte[DeterministicValues.SIZE], false));
            if (usesRandom) {
                maps.add(new MapSpec(RANDOM_MAP, RANDOM_MAP, MapKind.INSTRUMENTATION, MapType.ARRAY, 4,
                        DeterministicValues.RANDOM_SIZE, 1, 0, 0, 0, 0, 0, 0, null, List.of(),
                        new byte[DeterministicValues.RANDOM_SIZE], false));
            }
        }
        ObjectSpec out = new ObjectSpec(spec.name(), spec.objectName(), programs, maps, spec.variables(), spec.btf(),
                spec.license(), spec.kernelVersion());
        Optional<CoverageLayout> layout = options.coverage
                ? Optional.of(new CoverageLayout(spec.name(), counters[0], blocks, branches, notes))
                : Optional.empty();
        return new Result(out, layout);
    }

    /** One program's rewrite. */
    private static final class ProgramRewrite {
        private final ProgramSpec p;
        private final FlowGraph g;
        private final int n;
        private final List<Instruction>[] edgeCode;
        private final List<Instruction>[] blockCode;
        private final List<Instruction>[] replacement;
        /** Map value references inside inserted code: [list index in the code list, offset]. */
        private final Map<List<Instruction>, List<int[]>> insertedRefs = new java.util.IdentityHashMap<>();
        private final Map<List<Instruction>, String> insertedMap = new java.util.IdentityHashMap<>();
        final List<CoverageLayout.Block> blocks = new ArrayList<>();
        final List<CoverageLayout.Branch> branches = new ArrayList<>();
        int nextCounter;
        boolean usesRandom;
        ProgramSpec result;

        @SuppressWarnings("unchecked")
        ProgramRewrite(ProgramSpec p, boolean coverage, boolean deterministic, int firstCounter, List<String> notes) {
            this.p = p;
            Set<Integer> kfuncs = new HashSet<>();
            Set<Integer> throwing = new HashSet<>();
            for (Reference r : p.references()) {
                if (r instanceof Reference.Extern x && x.call()) {
                    kfuncs.add(x.slot());
                    if (x.symbol().equals(BPF_THROW)) {
                        throwing.add(x.slot());
                    }
                }
            }
            this.g = new FlowGraph(p.instructions(), p.funcInfos(), kfuncs, throwing);
            this.n = g.insns.length;
            this.nextCounter = firstCounter;
            edgeCode = new List[n];
            blockCode = new List[n];
            replacement = new List[n];
            if (coverage) {
                addCounters(notes);
            }
            if (deterministic) {
                for (int i = 0; i < n; i++) {
                    Instruction in = g.insns[i];
                    if (g.starts[i] && in.isHelperCall() && DETERMINISTIC_HELPERS.containsKey(in.imm())) {
                        replacement[i] = deterministicCall(in.imm());
                        usesRandom |= in.imm() == PRANDOM;
                    }
                }
            }
            result = emit();
        }

        private void addCounters(List<String> notes) {
            Map<Integer, Integer> blockCounter = new LinkedHashMap<>();
            Map<Integer, Boolean> blockExact = new LinkedHashMap<>();
            Map<Integer, Integer> lineOf = new java.util.HashMap<>();
            for (int[] b : g.blocks()) {
                int s = b[0];
                int e = b[1];
                int place = -1;
                int dead = 0;
                for (int i = s; i < e; i++) {
                    if (!g.starts[i]) {
                        continue;
                    }
                    int d = g.deadBefore(i);
                    if (Integer.bitCount(d) >= 2) {
                        place = i;
                        dead = d;
                        break;
                    }
                    if (place < 0 && Integer.bitCount(d) == 1) {
                        place = i;
                        dead = d;
                    }
                }
                if (place < 0) {
                    notes.add("program '" + p.name() + "': the block at instruction " + s + sourceOf(s)
                            + " has no counter: every register is live in it");
                    continue;
                }
                int counter = nextCounter++;
                boolean exact = Integer.bitCount(dead) >= 2;
                blockCode[place] = counterCode(counter, dead, exact);
                if (!exact) {
                    notes.add("program '" + p.name() + "': the block at instruction " + s + sourceOf(s)
                            + " records only whether it ran: a single register is free in it");
                }
                blockCounter.put(s, counter);
                blockExact.put(s, exact);
                Map<CoverageLayout.Line, Integer> lines = new LinkedHashMap<>();
                Map<CoverageLayout.Line, Integer> entries = new LinkedHashMap<>();
                for (int i = s; i < e; i++) {
                    if (g.starts[i]) {
                        Optional<LineInfo> li = p.lineOf(i);
                        if (li.isPresent() && li.get().line() > 0) {
                            CoverageLayout.Line l = line(li.get());
                            lines.merge(l, 1, Integer::sum);
                            int prev = previousInstruction(i);
                            Optional<CoverageLayout.Line> before = prev < 0 ? Optional.empty()
                                    : p.lineOf(prev).filter(x -> x.line() > 0).map(ProgramRewrite::line);
                            if (before.isEmpty() || !before.get().equals(l)) {
                                entries.merge(l, 1, Integer::sum);
                            }
                        }
                    }
                }
                blocks.add(new CoverageLayout.Block(p.name(), s, counter, exact, lines, entries));
            }
            for (int[] b : g.blocks()) {
                int last = lastInstruction(b[0], b[1]);
                if (last < 0 || !g.isConditional(last) || !blockCounter.containsKey(b[0])) {
                    continue;
                }
                int[] succ = g.successors(last);
                if (succ.length < 2) {
                    continue;
                }
                int fall = succ[0];
                int fallCounter;
                boolean exact = blockExact.get(b[0]);
                if (g.predecessors[fall] == 1 && blockCounter.containsKey(fall)) {
                    fallCounter = blockCounter.get(fall);
                    exact &= blockExact.get(fall);
                } else {
                    int d = g.deadBefore(fall);
                    if (Integer.bitCount(d) == 0 || edgeCode[fall] != null) {
                        notes.add("program '" + p.name() + "': the branch at instruction " + last + sourceOf(last)
                                + " has no fall-through counter: every register is live there");
                        continue;
                    }
                    fallCounter = nextCounter++;
                    boolean edgeExact = Integer.bitCount(d) >= 2;
                    edgeCode[fall] = counterCode(fallCounter, d, edgeExact);
                    exact &= edgeExact;
                }
                Optional<LineInfo> li = p.lineOf(last);
                if (li.isPresent() && li.get().line() > 0) {
                    branches.add(new CoverageLayout.Branch(line(li.get()), p.name(), last, blockCounter.get(b[0]),
                            fallCounter, exact));
                }
            }
        }

        /** The instruction before this one in slot order, in the same subprogram; -1 if none. */
        private int previousInstruction(int slot) {
            if (g.subprograms.contains(slot)) {
                return -1;
            }
            int prev = slot - 1;
            while (prev >= 0 && !g.starts[prev]) {
                prev--;
            }
            return prev;
        }

        private int lastInstruction(int s, int e) {
            for (int i = e - 1; i >= s; i--) {
                if (g.starts[i]) {
                    return i;
                }
            }
            return -1;
        }

        private String sourceOf(int slot) {
            return p.lineOf(slot).filter(li -> li.line() > 0)
                    .map(li -> " (" + shortName(li.fileName()) + ":" + li.line() + ")").orElse("");
        }

        private static CoverageLayout.Line line(LineInfo li) {
            return new CoverageLayout.Line(li.fileName(), li.line(), li.lineText());
        }

        private List<Instruction> counterCode(int counter, int dead, boolean exact) {
            int a = Integer.numberOfTrailingZeros(dead);
            List<Instruction> code = new ArrayList<>();
            code.add(new Instruction(LD_IMM64, a, BPF_PSEUDO_MAP_VALUE, 0, 0));
            code.add(new Instruction(0, 0, 0, 0, 0));
            if (exact) {
                int b = Integer.numberOfTrailingZeros(dead & ~(1 << a));
                code.add(new Instruction(BPF_ALU64 | BPF_MOV | BPF_K, b, 0, 0, 1));
                code.add(new Instruction(BPF_STX | BPF_ATOMIC | BPF_DW, a, b, 0, BPF_ADD));
            } else {
                code.add(new Instruction(BPF_ST | BPF_MEM | BPF_DW, a, 0, 0, 1));
            }
            insertedRefs.put(code, List.of(new int[] {0, 8 * counter}));
            insertedMap.put(code, COVERAGE_MAP);
            return code;
        }

        /**
         * The instructions that replace a call of a time, CPU or random helper; they write r0 and use r1-r2, which
         * the call would have clobbered (the verifier refuses any read of r1-r5 after a call).
         */
        private List<Instruction> deterministicCall(int helper) {
            List<Instruction> code = new ArrayList<>();
            if (helper == PRANDOM) {
                // r1 = &random.counter; r0 = 1; r0 = atomic_fetch_add(*r1, r0): this call's number n, taken once
                code.add(new Instruction(LD_IMM64, 1, BPF_PSEUDO_MAP_VALUE, 0, 0));
                code.add(new Instruction(0, 0, 0, 0, 0));
                code.add(new Instruction(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1));
                code.add(new Instruction(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 0, DeterministicValues.RANDOM_COUNTER,
                        BPF_ADD | BPF_FETCH));
                // z = seed + (n + 1) * GAMMA
                code.add(new Instruction(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1));
                loadConstant(code, 2, DeterministicValues.GAMMA);
                code.add(new Instruction(BPF_ALU64 | BPF_MUL | BPF_X, 0, 2, 0, 0));
                code.add(new Instruction(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, DeterministicValues.RANDOM_SEED, 0));
                code.add(new Instruction(BPF_ALU64 | BPF_ADD | BPF_X, 0, 2, 0, 0));
                // SplitMix64's finaliser: z ^= z >> 30; z *= MIX1; z ^= z >> 27; z *= MIX2; z ^= z >> 31
                xorShift(code, 30);
                loadConstant(code, 2, DeterministicValues.MIX1);
                code.add(new Instruction(BPF_ALU64 | BPF_MUL | BPF_X, 0, 2, 0, 0));
                xorShift(code, 27);
                loadConstant(code, 2, DeterministicValues.MIX2);
                code.add(new Instruction(BPF_ALU64 | BPF_MUL | BPF_X, 0, 2, 0, 0));
                xorShift(code, 31);
                code.add(new Instruction(BPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 32));
                insertedRefs.put(code, List.of(new int[] {0, 0}));
                insertedMap.put(code, RANDOM_MAP);
                return code;
            }
            int offset = DETERMINISTIC_HELPERS.get(helper);
            int size = offset == DeterministicValues.CPU ? BPF_W : BPF_DW;
            code.add(new Instruction(LD_IMM64, 0, BPF_PSEUDO_MAP_VALUE, 0, 0));
            code.add(new Instruction(0, 0, 0, 0, 0));
            code.add(new Instruction(BPF_LDX | BPF_MEM | size, 0, 0, 0, 0));
            insertedRefs.put(code, List.of(new int[] {0, offset}));
            insertedMap.put(code, DETERMINISTIC_MAP);
            return code;
        }

        private static void loadConstant(List<Instruction> code, int reg, long value) {
            code.add(new Instruction(LD_IMM64, reg, 0, 0, (int) value));
            code.add(new Instruction(0, 0, 0, 0, (int) (value >>> 32)));
        }

        /** r0 ^= r0 >> shift, through r2. */
        private static void xorShift(List<Instruction> code, int shift) {
            code.add(new Instruction(BPF_ALU64 | BPF_MOV | BPF_X, 2, 0, 0, 0));
            code.add(new Instruction(BPF_ALU64 | BPF_RSH | BPF_K, 2, 0, 0, shift));
            code.add(new Instruction(BPF_ALU64 | BPF_XOR | BPF_X, 0, 2, 0, 0));
        }

        private ProgramSpec emit() {
            int[] newStart = new int[n + 1];
            int[] newPos = new int[n + 1];
            List<Instruction> out = new ArrayList<>();
            List<Reference> refs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                append(out, refs, edgeCode[i]);
                newStart[i] = out.size();
                append(out, refs, blockCode[i]);
                newPos[i] = out.size();
                if (replacement[i] != null) {
                    append(out, refs, replacement[i]);
                } else {
                    out.add(g.insns[i]);
                }
            }
            newStart[n] = out.size();
            newPos[n] = out.size();
            for (int i = 0; i < n; i++) {
                if (!g.starts[i] || replacement[i] != null) {
                    continue;
                }
                Instruction in = g.insns[i];
                int at = newPos[i];
                if (in.isJump()) {
                    int target = g.jumpTarget(i);
                    int distance = newStart[target] - (at + 1);
                    boolean gotol = in.bpfClass() == BPF_JMP32 && op(in.opcode()) == BPF_JA;
                    if (gotol) {
                        out.set(at, in.withImm(distance));
                    } else if (distance < Short.MIN_VALUE || distance > Short.MAX_VALUE) {
                        throw new IllegalStateException("the jump at instruction " + i + " would span " + distance
                                + " instructions once instrumented, more than a 16-bit offset holds");
                    } else {
                        out.set(at, in.withOffset(distance));
                    }
                } else if (g.isLocalCall(i) || in.isLdImm64() && in.src() == BPF_PSEUDO_FUNC) {
                    int target = i + 1 + in.imm();
                    out.set(at, in.withImm(newStart[target] - (at + 1)));
                }
            }
            for (Reference r : p.references()) {
                refs.add(moved(r, newPos[r.slot()]));
            }
            refs.sort(java.util.Comparator.comparingInt(Reference::slot));
            List<FuncInfo> funcs = p.funcInfos().stream().map(f -> f.withInsnOffset(newStart[f.insnOffset()]))
                    .toList();
            List<LineInfo> lines = p.lineInfos().stream().map(l -> l.withInsnOffset(newStart[l.insnOffset()]))
                    .toList();
            List<CoreRelo> relos = p.coreRelos().stream().map(c -> c.withInsnOffset(newPos[c.insnOffset()]))
                    .toList();
            byte[] code = new byte[out.size() * INSN_SIZE];
            for (int i = 0; i < out.size(); i++) {
                out.get(i).encodeInto(code, i);
            }
            return new ProgramSpec(p.name(), p.section(), p.type(), p.attachType(), p.flags(), p.attachTarget(),
                    p.attachTo(), code, refs, funcs, lines, relos, p.license(), p.kernelVersion());
        }

        private void append(List<Instruction> out, List<Reference> refs, List<Instruction> code) {
            if (code == null) {
                return;
            }
            int base = out.size();
            for (int[] ref : insertedRefs.get(code)) {
                refs.add(new Reference.MapValue(base + ref[0], insertedMap.get(code), ref[1]));
            }
            out.addAll(code);
        }

        private static Reference moved(Reference r, int slot) {
            if (r instanceof Reference.MapFd m) {
                return new Reference.MapFd(slot, m.map());
            } else if (r instanceof Reference.MapValue m) {
                return new Reference.MapValue(slot, m.map(), m.offset());
            }
            Reference.Extern x = (Reference.Extern) r;
            return new Reference.Extern(slot, x.symbol(), x.call(), x.weak(), x.btfTypeId());
        }
    }

    static String shortName(String file) {
        int slash = file.lastIndexOf('/');
        return slash >= 0 ? file.substring(slash + 1) : file;
    }
}
