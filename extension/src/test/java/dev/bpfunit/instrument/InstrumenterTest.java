package dev.bpfunit.instrument;

import static dev.bpfunit.asm.Opcodes.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.asm.Disassembler;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.btf.FuncInfo;
import dev.bpfunit.btf.LineInfo;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.Reference;
import dev.bpfunit.spec.SectionDefs;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstrumenterTest {

    private static byte[] code(Instruction... insns) {
        byte[] out = new byte[insns.length * INSN_SIZE];
        for (int i = 0; i < insns.length; i++) {
            insns[i].encodeInto(out, i);
        }
        return out;
    }

    private static ProgramSpec program(byte[] code, List<FuncInfo> funcs, List<LineInfo> lines) {
        return new ProgramSpec("p", "xdp", ProgramType.XDP, AttachType.NONE, 0, SectionDefs.AttachTarget.NONE, "",
                code, List.of(), funcs, lines, List.of(), "GPL", 0);
    }

    private static ObjectSpec object(ProgramSpec p) {
        return new ObjectSpec("t.bpf.o", "t", List.of(p), List.of(), List.of(), null, "GPL", 0);
    }

    private static Instruction mov(int dst, int imm) {
        return new Instruction(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
    }

    private static final Instruction EXIT_INSN = new Instruction(EXIT, 0, 0, 0, 0);

    private static LineInfo line(int slot, int line) {
        return new LineInfo(slot, 0, 0, line, 1, "t.bpf.c", "line " + line);
    }

    @Test
    void countersGoAtBlockStartsInDeadRegistersAndJumpsLandOnThem() {
        ProgramSpec p = program(code(
                mov(2, 0),                                                      // 0
                new Instruction(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2, 0),         // 1: if r1 == 0 goto 4
                mov(0, 1),                                                      // 2
                EXIT_INSN,                                                      // 3
                mov(0, 2),                                                      // 4
                EXIT_INSN), List.of(), List.of(line(0, 10), line(2, 11), line(4, 12)));
        Instrumenter.Result r = Instrumenter.instrument(object(p), new Instrumenter.Options(true, false));
        ProgramSpec out = r.spec().programs().get(0);
        List<String> text = Disassembler.disassemble(out.instructions());
        assertThat(text).containsExactly(
                "0: (18) r0 = map[fd:0][0]+0",          // r1 is live (the jump reads it): r0 and r2 are free
                "2: (b7) r2 = 1",
                "3: (db) lock *(u64 *)(r0 +0) += r2",
                "4: (b7) r2 = 0",
                "5: (15) if r1 == 0x0 goto pc+6",         // to the counter of the block at 4
                "6: (18) r0 = map[fd:0][0]+0",
                "8: (b7) r1 = 1",                         // r1 is dead after the jump
                "9: (db) lock *(u64 *)(r0 +0) += r1",
                "10: (b7) r0 = 1",
                "11: (95) exit",
                "12: (18) r0 = map[fd:0][0]+0",
                "14: (b7) r1 = 1",
                "15: (db) lock *(u64 *)(r0 +0) += r1",
                "16: (b7) r0 = 2",
                "17: (95) exit");
        assertThat(out.references()).containsExactly(new Reference.MapValue(0, Instrumenter.COVERAGE_MAP, 0),
                new Reference.MapValue(6, Instrumenter.COVERAGE_MAP, 8),
                new Reference.MapValue(12, Instrumenter.COVERAGE_MAP, 16));
        assertThat(out.lineInfos()).extracting(LineInfo::insnOffset).containsExactly(0, 6, 12);
        CoverageLayout layout = r.coverage().orElseThrow();
        assertThat(layout.counters()).isEqualTo(3);
        assertThat(layout.branches()).singleElement().satisfies(b -> {
            assertThat(b.blockCounter()).isZero();
            assertThat(b.fallThroughCounter()).isEqualTo(1);     // the next block has no other predecessor
            assertThat(b.line().line()).isEqualTo(10);
        });
        assertThat(r.spec().map(Instrumenter.COVERAGE_MAP)).satisfies(m -> {
            assertThat(m.kind()).isEqualTo(MapKind.INSTRUMENTATION);
            assertThat(m.valueSize()).isEqualTo(24);
            assertThat(m.maxEntries()).isEqualTo(1);
        });
    }

    @Test
    void aFallThroughReachedFromElsewhereGetsAnEdgeCounterThatJumpsSkip() {
        ProgramSpec p = program(code(
                new Instruction(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, 0),         // 0: if r1 == 0 goto 2
                mov(1, 5),                                                      // 1
                mov(0, 0),                                                      // 2: reached from 0 and 1
                EXIT_INSN), List.of(), List.of(line(0, 1)));
        Instrumenter.Result r = Instrumenter.instrument(object(p), new Instrumenter.Options(true, false));
        List<String> text = Disassembler.disassemble(r.spec().programs().get(0).instructions());
        // block 0 [0,1), block 1 [1,2) (only from 0: its own counter counts the fall-through), block 2 [2,4)
        assertThat(text.get(3)).isEqualTo("4: (15) if r1 == 0x0 goto pc+5");
        assertThat(r.coverage().orElseThrow().branches()).singleElement()
                .satisfies(b -> assertThat(b.fallThroughCounter()).isEqualTo(1));

        ProgramSpec q = program(code(
                new Instruction(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0, 0),         // 0: if r1 == 0 goto 1 (both ways)
                mov(0, 0),                                                      // 1
                EXIT_INSN), List.of(), List.of());
        Instrumenter.Result s = Instrumenter.instrument(object(q), new Instrumenter.Options(true, false));
        List<String> t = Disassembler.disassemble(s.spec().programs().get(0).instructions());
        assertThat(s.spec().programs().get(0).references()).extracting(x -> ((Reference.MapValue) x).offset())
                .containsExactly(0, 16, 8);
        assertThat(t).containsExactly(
                "0: (18) r0 = map[fd:0][0]+0",
                "2: (b7) r2 = 1",
                "3: (db) lock *(u64 *)(r0 +0) += r2",
                "4: (15) if r1 == 0x0 goto pc+4",         // over the edge counter, to the block's counter
                "5: (18) r0 = map[fd:0][0]+0",            // the fall-through edge: counter 2
                "7: (b7) r1 = 1",
                "8: (db) lock *(u64 *)(r0 +0) += r1",
                "9: (18) r0 = map[fd:0][0]+0",            // the block at 1: counter 1
                "11: (b7) r1 = 1",
                "12: (db) lock *(u64 *)(r0 +0) += r1",
                "13: (b7) r0 = 0",
                "14: (95) exit");
    }

    @Test
    void callsFunctionInfoAndCallbacksFollowTheirSubprograms() {
        ProgramSpec p = program(code(
                new Instruction(LD_IMM64, 2, BPF_PSEUDO_FUNC, 0, 4),            // 0: r2 = subprog at 5
                new Instruction(0, 0, 0, 0, 0),
                new Instruction(CALL, 0, BPF_PSEUDO_CALL, 0, 2),                // 2: call 5
                mov(0, 0),                                                      // 3
                EXIT_INSN,                                                      // 4
                mov(0, 1),                                                      // 5: subprog
                EXIT_INSN), List.of(new FuncInfo(0, 1), new FuncInfo(5, 2)), List.of(line(0, 1), line(5, 2)));
        ProgramSpec out = Instrumenter.instrument(object(p), new Instrumenter.Options(true, false)).spec()
                .programs().get(0);
        byte[] code = out.instructions();
        int sub = out.funcInfos().get(1).insnOffset();
        assertThat(out.funcInfos().get(0).insnOffset()).isZero();
        assertThat(out.lineInfos()).extracting(LineInfo::insnOffset).containsExactly(0, sub);
        assertThat(Disassembler.format(code, sub)).startsWith("r");            // the subprogram's counter first
        assertThat(Instruction.decode(code, sub + 2)).isEqualTo(mov(1, 1));
        int ld = 4;                                                            // after the entry counter
        assertThat(Instruction.decode(code, ld).src()).isEqualTo(BPF_PSEUDO_FUNC);
        assertThat(ld + 1 + Instruction.decode(code, ld).imm()).isEqualTo(sub);
        int call = ld + 2;
        assertThat(Instruction.decode(code, call).isPseudoCall()).isTrue();
        assertThat(call + 1 + Instruction.decode(code, call).imm()).isEqualTo(sub);
    }

    @Test
    void timeAndRandomHelpersBecomeReadsOfTheDeterministicMap() {
        ProgramSpec p = program(code(
                new Instruction(CALL, 0, 0, 0, Disassembler.helperId("ktime_get_ns")),
                new Instruction(CALL, 0, 0, 0, Disassembler.helperId("get_smp_processor_id")),
                new Instruction(CALL, 0, 0, 0, Disassembler.helperId("get_prandom_u32")),
                EXIT_INSN), List.of(), List.of());
        Instrumenter.Result r = Instrumenter.instrument(object(p), new Instrumenter.Options(false, true));
        ProgramSpec out = r.spec().programs().get(0);
        assertThat(Disassembler.disassemble(out.instructions())).containsExactly(
                "0: (18) r0 = map[fd:0][0]+0",
                "2: (79) r0 = *(u64 *)(r0 +0)",
                "3: (18) r0 = map[fd:0][0]+0",
                "5: (61) r0 = *(u32 *)(r0 +0)",
                "6: (18) r1 = map[fd:0][0]+0",
                "8: (b7) r0 = 1",
                "9: (db) r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)",
                "10: (07) r0 += 1",
                "11: (18) r2 = 0x9e3779b97f4a7c15 ll",
                "13: (2f) r0 *= r2",
                "14: (79) r2 = *(u64 *)(r1 +8)",
                "15: (0f) r0 += r2",
                "16: (bf) r2 = r0",
                "17: (77) r2 >>= 30",
                "18: (af) r0 ^= r2",
                "19: (18) r2 = 0xbf58476d1ce4e5b9 ll",
                "21: (2f) r0 *= r2",
                "22: (bf) r2 = r0",
                "23: (77) r2 >>= 27",
                "24: (af) r0 ^= r2",
                "25: (18) r2 = 0x94d049bb133111eb ll",
                "27: (2f) r0 *= r2",
                "28: (bf) r2 = r0",
                "29: (77) r2 >>= 31",
                "30: (af) r0 ^= r2",
                "31: (77) r0 >>= 32",
                "32: (95) exit");
        assertThat(out.references()).containsExactly(
                new Reference.MapValue(0, Instrumenter.DETERMINISTIC_MAP, DeterministicValues.MONOTONIC_NS),
                new Reference.MapValue(3, Instrumenter.DETERMINISTIC_MAP, DeterministicValues.CPU),
                new Reference.MapValue(6, Instrumenter.RANDOM_MAP, DeterministicValues.RANDOM_COUNTER));
        assertThat(r.spec().map(Instrumenter.DETERMINISTIC_MAP).valueSize()).isEqualTo(DeterministicValues.SIZE);
        assertThat(r.spec().map(Instrumenter.RANDOM_MAP).valueSize()).isEqualTo(DeterministicValues.RANDOM_SIZE);
    }

    @Test
    void withoutARandomCallThereIsNoRandomMap() {
        ProgramSpec p = program(code(new Instruction(CALL, 0, 0, 0, Disassembler.helperId("ktime_get_ns")),
                EXIT_INSN), List.of(), List.of());
        Instrumenter.Result r = Instrumenter.instrument(object(p), new Instrumenter.Options(false, true));
        assertThat(r.spec().findMap(Instrumenter.RANDOM_MAP)).isEmpty();
        assertThat(r.spec().findMap(Instrumenter.DETERMINISTIC_MAP)).isPresent();
    }

    /** The Java mirror is SplitMix64: seed 0 gives its well-known first outputs (upper halves). */
    @Test
    void theRandomSequenceIsSplitMix64OfTheCallNumber() {
        assertThat(DeterministicValues.random(0, 0)).isEqualTo(0xe220a839);
        assertThat(DeterministicValues.random(0, 1)).isEqualTo(0x6e789e6a);
        assertThat(DeterministicValues.random(42, 5)).isEqualTo(DeterministicValues.random(42 + 5
                * DeterministicValues.GAMMA, 0)).isNotEqualTo(DeterministicValues.random(42, 4));
    }

    /**
     * clang 14 does not know that bpf_throw does not return and keeps code after it in the same block: that code
     * must get a block (and counter) of its own, not be counted as run whenever the throw's block runs.
     */
    @Test
    void aThrowEndsItsBlockAndThePath() {
        byte[] code = code(
                mov(6, 0),                                                      // 0
                new Instruction(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 3, 0),         // 1: if r1 == 0 goto 5
                mov(1, 7),                                                      // 2: r1 = cookie
                new Instruction(CALL, 0, BPF_PSEUDO_CALL, 0, -1),               // 3: bpf_throw(7), as clang writes it
                mov(6, 1),                                                      // 4: never runs
                mov(0, 0),                                                      // 5
                EXIT_INSN);                                                     // 6
        ProgramSpec p = new ProgramSpec("p", "tc", ProgramType.SCHED_CLS, AttachType.NONE, 0,
                SectionDefs.AttachTarget.NONE, "", code, List.of(new Reference.Extern(3, "bpf_throw", true, false, 0)),
                List.of(), List.of(line(0, 10), line(2, 11), line(4, 12), line(5, 13)), List.of(), "GPL", 0);
        FlowGraph g = new FlowGraph(code, List.of(), java.util.Set.of(3), java.util.Set.of(3));
        assertThat(g.successors(3)).isEmpty();
        assertThat(g.subprograms).as("a kfunc call is no call into the program").containsExactly(0);
        assertThat(new FlowGraph(code, List.of()).subprograms).as("read as a bpf-to-bpf call").contains(3);
        assertThat(g.blocks()).extracting(b -> b[0] + "-" + b[1]).containsExactly("0-2", "2-4", "4-5", "5-7");
        assertThat(g.predecessors[5]).isEqualTo(2);                             // the jump and slot 4, not slot 3

        Instrumenter.Result r = Instrumenter.instrument(object(p), new Instrumenter.Options(true, false));
        CoverageLayout layout = r.coverage().orElseThrow();
        assertThat(layout.blocks()).extracting(CoverageLayout.Block::startSlot).containsExactly(0, 2, 4, 5);
        // a run that throws: blocks 0 and 2 ran once, the code after the throw and the rest not at all
        long[] counters = new long[layout.counters()];
        counters[layout.blocks().get(0).counter()] = 1;
        counters[layout.blocks().get(1).counter()] = 1;
        CoverageData data = CoverageData.of(layout, counters);
        CoverageData.FileCoverage f = data.file("t.bpf.c").orElseThrow();
        assertThat(f.lines().get(11).covered()).isTrue();
        assertThat(f.lines().get(12).covered()).isFalse();
        assertThat(f.lines().get(13).covered()).isFalse();
    }

    @Test
    void programsLeftOutOfCoverageKeepTheirCodeAndAreNoted() {
        ProgramSpec p = program(code(mov(0, 1), EXIT_INSN), List.of(), List.of(line(0, 10)));
        Instrumenter.Result r = Instrumenter.instrument(object(p), new Instrumenter.Options(true, false,
                java.util.Set.of("p")));
        assertThat(r.spec().programs().get(0).instructions()).isEqualTo(p.instructions());
        assertThat(r.coverage().orElseThrow().notes()).anyMatch(n -> n.contains("'p'") && n.contains("noCoverage"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Instrumenter.instrument(object(p),
                new Instrumenter.Options(true, false, java.util.Set.of("q")))).hasMessageContaining("q")
                .hasMessageContaining("p");
    }

    @Test
    void whereTwoRegistersAreNotFreeAtABlockStartTheCounterMovesDownTheBlockOrBecomesAFlag() {
        Instruction[] all = new Instruction[21];
        for (int r = 0; r <= 8; r++) {
            all[r] = mov(r, r);                                                 // 0-8: r0-r8 hold values
        }
        all[9] = new Instruction(BPF_JMP | BPF_JA, 0, 0, 0, 0);                // 9: a new block at 10
        all[10] = new Instruction(BPF_ALU64 | BPF_MOV | BPF_X, 9, 0, 0, 0);    // 10: r9 = r0 (only r9 is dead)
        for (int r = 1; r <= 8; r++) {
            all[10 + r] = new Instruction(BPF_ALU64 | BPF_ADD | BPF_X, 9, r, 0, 0);   // 11-18: r9 += r1..r8
        }
        all[19] = new Instruction(BPF_ALU64 | BPF_MOV | BPF_X, 0, 9, 0, 0);
        all[20] = EXIT_INSN;
        FlowGraph g = new FlowGraph(code(all), List.of());
        assertThat(Integer.bitCount(g.deadBefore(10))).isEqualTo(1);
        assertThat(Integer.bitCount(g.deadBefore(11))).isEqualTo(1);         // r0 is dead once copied; r9 is live
        assertThat(g.deadBefore(12)).isEqualTo(0b11);                       // r0 and r1
        Instrumenter.Result r = Instrumenter.instrument(object(program(code(all), List.of(), List.of())),
                new Instrumenter.Options(true, false));
        List<String> text = Disassembler.disassemble(r.spec().programs().get(0).instructions());
        // the second block's counter goes before original slot 12, using r0 and r1; nothing is a flag
        assertThat(text).containsSubsequence("14: (bf) r9 = r0", "15: (0f) r9 += r1",
                "16: (18) r0 = map[fd:0][0]+0", "18: (b7) r1 = 1", "19: (db) lock *(u64 *)(r0 +0) += r1",
                "20: (0f) r9 += r2");
        assertThat(r.spec().programs().get(0).references()).containsExactly(
                new Reference.MapValue(0, Instrumenter.COVERAGE_MAP, 0),
                new Reference.MapValue(16, Instrumenter.COVERAGE_MAP, 8));
        assertThat(r.coverage().orElseThrow().blocks()).allSatisfy(b -> assertThat(b.exact()).isTrue());
        assertThat(r.coverage().orElseThrow().notes()).isEmpty();

        Instruction[] f = new Instruction[22];
        for (int k = 0; k <= 8; k++) {
            f[k] = mov(k, k);                                                   // 0-8
        }
        f[9] = new Instruction(BPF_JMP | BPF_JA, 0, 0, 0, 0);
        f[10] = new Instruction(BPF_ALU64 | BPF_MOV | BPF_X, 9, 0, 0, 0);      // 10: r9 = r0: only r9 free
        f[11] = new Instruction(BPF_JMP | BPF_JA, 0, 0, 0, 0);                 // 11: nothing free
        for (int k = 1; k <= 8; k++) {
            f[11 + k] = new Instruction(BPF_ALU64 | BPF_ADD | BPF_X, 9, k, 0, 0);    // 12-19: r9 += r1..r8
        }
        f[20] = new Instruction(BPF_ALU64 | BPF_ADD | BPF_X, 0, 9, 0, 0);
        f[21] = EXIT_INSN;
        all = f;
        Instrumenter.Result flag = Instrumenter.instrument(object(program(code(all), List.of(), List.of())),
                new Instrumenter.Options(true, false));
        assertThat(flag.coverage().orElseThrow().blocks()).anySatisfy(b -> assertThat(b.exact()).isFalse());
        assertThat(flag.coverage().orElseThrow().notes()).anySatisfy(n -> assertThat(n)
                .contains("records only whether it ran: a single register is free in it"));
        assertThat(FlowGraph.useDef(new Instruction(CALL, 0, 0, 0, 1))).isEqualTo((0b111110L << 32) | 0b111111L);
    }

    @Test
    void mayGotoAndGotolKeepTheirTargets() {
        ProgramSpec p = program(code(
                new Instruction(BPF_JMP | BPF_JCOND, 0, BPF_MAY_GOTO, 2, 0),   // 0: may_goto +2 (to 3)
                mov(0, 1),                                                      // 1
                new Instruction(BPF_JMP32 | BPF_JA, 0, 0, 0, 1),                // 2: gotol +1 (to 4)
                mov(0, 2),                                                      // 3
                EXIT_INSN), List.of(), List.of());                              // 4
        ProgramSpec out = Instrumenter.instrument(object(p), new Instrumenter.Options(true, false)).spec()
                .programs().get(0);
        byte[] code = out.instructions();
        // every original instruction is preceded by its block's 4-slot counter: 0->4, 1->9, 2->10, 3->15, 4->20
        Instruction mayGoto = Instruction.decode(code, 4);
        assertThat(mayGoto.opcode()).isEqualTo(BPF_JMP | BPF_JCOND);
        assertThat(4 + 1 + mayGoto.offset()).isEqualTo(11);              // the counter before original 3
        Instruction gotol = Instruction.decode(code, 10);
        assertThat(gotol.opcode()).isEqualTo(BPF_JMP32 | BPF_JA);
        assertThat(10 + 1 + gotol.imm()).isEqualTo(16);                  // the counter before original 4
        assertThat(Instruction.decode(code, 15)).isEqualTo(mov(0, 2));
        assertThat(Instruction.decode(code, 20)).isEqualTo(EXIT_INSN);
    }
}
