package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifierLogTest {

    static String fixture(String name) {
        try (InputStream in = VerifierLogTest.class.getResourceAsStream("/verifier/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void findsTheErrorTheInstructionTheSourceAndAHint() {
        // the 6.18 kernel's log for samples/src/main/bpf/rejected.bpf.c, captured with bpftool -d
        VerifierLog log = VerifierLog.parse(fixture("null_deref.log"), false, slot -> Optional.empty());
        assertThat(log.errorLines()).containsExactly("R0 invalid mem access 'map_value_or_null'");
        assertThat(log.failingInstruction()).contains(new VerifierLog.Instruction(7, "r1 = *(u64 *)(r0 +0)"));
        assertThat(log.source()).contains("rejected.bpf.c:27: *count += 1; /* BUG: count may be NULL */");
        assertThat(log.hint()).hasValueSatisfying(h -> assertThat(h).contains("NULL"));
        assertThat(log.processedInstructions()).hasValue(7);
    }

    @Test
    void lineInfoWinsOverTheKernelsSourceComment() {
        VerifierLog log = VerifierLog.parse(fixture("null_deref.log"), false,
                slot -> slot == 7 ? Optional.of("x.c:9: y") : Optional.empty());
        assertThat(log.source()).contains("x.c:9: y");
    }

    @Test
    void aLogWithoutInstructionsStillGivesItsLastLine() {
        VerifierLog log = VerifierLog.parse("BPF program is too large. Processed 1000001 insn\n"
                + "processed 1000001 insns (limit 1000000) max_states_per_insn 4\n", true, slot -> Optional.empty());
        assertThat(log.errorLines()).containsExactly("BPF program is too large. Processed 1000001 insn");
        assertThat(log.failingInstruction()).isEmpty();
        assertThat(log.rejectionCause()).isEqualTo(VerifierCause.COMPLEXITY_LIMIT);
        assertThat(log.truncated()).isTrue();
        assertThat(log.processedInstructions()).hasValue(1000001);
    }

    @Test
    void uninitialisedReturnValue() {
        VerifierLog log = VerifierLog.parse("0: R1=ctx() R10=fp0\n0: (95) exit\nR0 !read_ok\n"
                + "processed 1 insns (limit 1000000) max_states_per_insn 0\n", false, slot -> Optional.empty());
        assertThat(log.failingInstruction()).contains(new VerifierLog.Instruction(0, "exit"));
        assertThat(log.errorLines()).containsExactly("R0 !read_ok");
        assertThat(log.hint()).hasValueSatisfying(h -> assertThat(h).contains("return value"));
    }

    @Test
    void aStatisticsOnlyLogIsMarkedAndKnowsNoInstruction() {
        // what 6.18 logs at BPF_LOG_STATS alone for a program given up on at the limit
        String stats = "BPF program is too large. Processed 1000001 insn\n"
                + "processed 1000001 insns (limit 1000000) max_states_per_insn 4 total_states 11118 peak_states 11118 "
                + "mark_read 2\n";
        VerifierLog marked = VerifierLog.parse(VerifierLog.statisticsOnly(stats), false, slot -> Optional.empty());
        assertThat(marked.statisticsOnly()).isTrue();
        assertThat(marked.errorLines()).containsExactly("BPF program is too large. Processed 1000001 insn");
        assertThat(marked.processedInstructions()).hasValue(1_000_001);
        assertThat(marked.rejectionCause()).isEqualTo(VerifierCause.COMPLEXITY_LIMIT);
        assertThat(marked.failingInstruction()).isEmpty();
        assertThat(marked.path()).isEmpty();

        assertThat(VerifierLog.parse(stats, false, slot -> Optional.empty()).statisticsOnly()).isFalse();
        assertThat(VerifierLog.parse(fixture("null_deref.log"), false, slot -> Optional.empty()).statisticsOnly())
                .isFalse();
        assertThat(VerifierLog.refusedSize(1_000_002, 1_000_000).statisticsOnly()).isFalse();
    }

    /**
     * The 6.18 kernel's log, captured through bpfunit, of an XDP program that calls bpf_ktime_get_ns() built with
     * clang 14 at {@code clang -O0 -g -target bpf}: without optimisation clang calls the helper through a register
     * ({@code callx r1}, opcode 0x8d), which the kernel refuses before the verifier walks the program.
     */
    @Test
    void callxFromABuildWithoutOptimisationIsToldWithItsFix() {
        VerifierLog log = VerifierLog.parse(fixture("callx_O0-6.18.log"), false, slot -> Optional.empty());
        assertThat(log.errorLines()).containsExactly("unknown opcode 8d");
        assertThat(log.fix()).isEqualTo("opcode 0x8d (BPF_JMP | BPF_CALL | BPF_X) is callx, a call through a "
                + "register, which clang emits for helper calls when it compiles without optimisation (-O0) and "
                + "which no kernel accepts: compile with -O2: clang -O2 -g -target bpf -c prog.bpf.c -o prog.bpf.o");
        assertThat(new VerifierException("x.bpf.o", "xdp_o0", "EINVAL", log).getMessage())
                .contains("\n  unknown opcode 8d\n  cause: UNKNOWN_OPCODE: the program has an instruction whose "
                        + "opcode this kernel does not know")
                .contains("\n  fix: opcode 0x8d (BPF_JMP | BPF_CALL | BPF_X) is callx")
                .doesNotContain("OTHER");
    }

    @Test
    void anotherUnknownOpcodeIsTakenApartAndGetsTheGeneralFix() {
        // the kernel's wording (verbose(env, "unknown opcode %02x\n", insn->code)) for bswap, -mcpu=v4, before 6.6
        VerifierLog log = VerifierLog.parse("unknown opcode d7\nprocessed 0 insns (limit 1000000)\n", false,
                slot -> Optional.empty());
        assertThat(log.rejectionCause()).isEqualTo(VerifierCause.UNKNOWN_OPCODE);
        assertThat(log.fix()).startsWith("opcode 0xd7 (BPF_ALU64 | BPF_END | BPF_K) is not an instruction this "
                + "kernel knows. ").endsWith(VerifierCause.UNKNOWN_OPCODE.fix()).contains("-mcpu=")
                .doesNotContain("callx");
    }
}
