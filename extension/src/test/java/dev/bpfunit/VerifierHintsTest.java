package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.spec.ProgramType;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The verifier's wording on kernels 6.1, 6.12 and 6.18, and what bpfunit makes of it. */
class VerifierHintsTest {

    @Test
    void theRowsAreTriedInThisOrder() {
        // Order matters: a *_or_null helper argument is a NULL check before it is a wrong type; a pointer
        // at exit is a leak before it is a range error; CO-RE first since its poison looks like anything.
        assertThat(VerifierHints.ROWS.stream().map(VerifierHints.Row::cause).toList()).containsExactly(
                VerifierCause.CORE_RELOCATION, VerifierCause.NULL_CHECK, VerifierCause.PACKET_BOUNDS,
                VerifierCause.UNINIT_DYNPTR, VerifierCause.UNINIT_REGISTER, VerifierCause.UNINIT_STACK,
                VerifierCause.STACK_LIMIT, VerifierCause.UNBOUNDED_LOOP, VerifierCause.COMPLEXITY_LIMIT,
                VerifierCause.UNRELEASED_REFERENCE, VerifierCause.SPIN_LOCK_CALL, VerifierCause.SPIN_LOCK_HELD,
                VerifierCause.GPL_ONLY, VerifierCause.READ_ONLY_WRITE, VerifierCause.CONTEXT_ACCESS,
                VerifierCause.POINTER_ARITHMETIC, VerifierCause.POINTER_LEAK, VerifierCause.RETURN_RANGE,
                VerifierCause.MAP_VALUE_BOUNDS, VerifierCause.INVALID_POINTER, VerifierCause.HELPER_ARGUMENT,
                VerifierCause.UNKNOWN_KFUNC, VerifierCause.HELPER_NOT_ALLOWED, VerifierCause.UNKNOWN_OPCODE);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            // 6.1 wording
            "NULL_CHECK | R1 type=map_value_or_null expected=fp, pkt, pkt_meta, map_key, map_value",
            "SPIN_LOCK_HELD | bpf_spin_unlock is missing",
            "RETURN_RANGE | At program exit the register R0 has value (0x0; 0x3) should have been in (0x0; 0x1)",
            "HELPER_NOT_ALLOWED | unknown func bpf_skb_load_bytes#26",
            "UNINIT_DYNPTR | Expected an initialized dynptr as arg #3",
            "POINTER_LEAK | R0 leaks addr as return value",
            "POINTER_LEAK | R1 leaks addr into map",
            "UNINIT_STACK | invalid indirect read from stack R2 off -8+0 size 8",
            "UNBOUNDED_LOOP | back-edge from insn 9 to 4",
            "UNBOUNDED_LOOP | infinite loop detected at insn 5",
            // 6.12 and 6.18 wording
            "RETURN_RANGE | At program exit the register R0 has smin=0 smax=3 should have been in [0, 1]",
            "SPIN_LOCK_HELD | BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region",
            "SPIN_LOCK_CALL | function calls are not allowed while holding a lock",
            "HELPER_NOT_ALLOWED | program of this type cannot use helper bpf_skb_load_bytes#26",
            "HELPER_NOT_ALLOWED | calling kernel function bpf_task_acquire is not allowed",
            "STACK_LIMIT | combined stack size of 2 calls is 640. Too large",
            "COMPLEXITY_LIMIT | BPF program is too large. Processed 1000001 insn",
            "POINTER_LEAK | At program exit the register R0 is not a known value (map_value)",
            "INVALID_POINTER | R1 invalid mem access 'scalar'",
            "MAP_VALUE_BOUNDS | invalid access to map value, value_size=64 off=120 size=8",
            // every kernel's wording (6.18's, real: callx from clang -O0; d7: bswap, -mcpu=v4, before 6.6)
            "UNKNOWN_OPCODE | unknown opcode 8d",
            "UNKNOWN_OPCODE | unknown opcode d7",
            "OTHER | something no kernel says"})
    void recognisesEachKernelsWording(VerifierCause cause, String line) {
        assertThat(VerifierHints.causeOf(List.of(line))).isEqualTo(cause);
    }

    @Test
    void aOneBasedDynptrArgumentIsToldFromTheRegisterThatPointsToTheStack() {
        // 6.1 counts from 1: "arg #3" for the third argument, which R3 holds
        String log = "0: R1=ctx() R10=fp0\n"
                + "5: (07) r3 += -16                     ; R3_w=fp-16\n"
                + "6: (b7) r2 = 4                        ; R2_w=4\n"
                + "9: (85) call bpf_dynptr_read#201\n"
                + "Expected an initialized dynptr as arg #3\n";
        VerifierLog parsed = VerifierLog.parse(log, false, slot -> Optional.empty());
        assertThat(parsed.rejectionCause()).isEqualTo(VerifierCause.UNINIT_DYNPTR);
        assertThat(parsed.fix()).contains("argument 3 of bpf_dynptr_read()");
    }

    @Test
    void aZeroBasedDynptrArgumentIsConvertedToTheCCount() {
        String log = "5: (07) r3 += -16                     ; R3_w=fp-16\n"
                + "6: (b7) r2 = 4                        ; R2_w=4\n"
                + "9: (85) call bpf_dynptr_read#201\n"
                + "Expected an initialized dynptr as arg #2\n";
        assertThat(VerifierLog.parse(log, false, slot -> Optional.empty()).fix())
                .contains("argument 3 of bpf_dynptr_read()").contains("arg #2");
    }

    @Test
    void theReturnValuesLineIsTheInstructionThatLastSetR0NotTheExit() {
        String log = "; return mark & 3; @ x.bpf.c:13\n"
                + "1: (57) r0 &= 3                       ; R0_w=scalar(smin=0,smax=3)\n"
                + "; } @ x.bpf.c:14\n"
                + "2: (bf) r1 = r6                       ; R1_w=ctx()\n"
                + "3: (95) exit\n"
                + "At program exit the register R0 has smin=0 smax=3 should have been in [0, 1]\n";
        VerifierLog parsed = VerifierLog.parse(log, false, slot -> Optional.empty());
        assertThat(parsed.rejectionCause()).isEqualTo(VerifierCause.RETURN_RANGE);
        assertThat(parsed.failingInstruction()).contains(new VerifierLog.Instruction(3, "exit"));
        assertThat(parsed.faultInstructions()).containsExactly(1);
        assertThat(parsed.source()).contains("x.bpf.c:13: return mark & 3;");
        assertThat(parsed.fix()).contains("[0, 1]");
    }

    @Test
    void sixOnesTnumRangeIsShownAsARange() {
        String log = "1: (b7) r0 = 3\n2: (95) exit\n"
                + "At program exit the register R0 has value (0x3; 0x0) should have been in (0x0; 0x1)\n";
        assertThat(VerifierLog.parse(log, false, slot -> Optional.empty()).fix()).contains("[0, 1]");
    }

    @Test
    void aHelperRefusedInXdpSaysWhatXdpUsesInstead() {
        String log = "6: (85) call bpf_skb_load_bytes#26\nunknown func bpf_skb_load_bytes#26\n";
        VerifierLog parsed = VerifierLog.parse(log, false,
                new VerifierLog.Program(ProgramType.XDP, slot -> Optional.empty(), slot -> Optional.empty()));
        assertThat(parsed.fix()).contains("bpf_xdp_load_bytes()");
        assertThat(VerifierHints.insteadOf("bpf_xdp_adjust_head", ProgramType.SCHED_CLS)).hasValueSatisfying(
                s -> assertThat(s).contains("bpf_skb_adjust_room"));
    }

    @Test
    void statisticsAreRead() {
        String log = "0: (95) exit\nR0 !read_ok\nverification time 37 usec\nstack depth 0+16\n"
                + "processed 2 insns (limit 1000000) max_states_per_insn 1 total_states 3 peak_states 4 mark_read 0\n";
        VerifierLog.Statistics s = VerifierLog.parse(log, false, slot -> Optional.empty()).statistics().orElseThrow();
        assertThat(s.processedInstructions()).isEqualTo(2);
        assertThat(s.totalStates()).isEqualTo(3);
        assertThat(s.peakStates()).isEqualTo(4);
        assertThat(s.maxStatesPerInstruction()).isEqualTo(1);
        assertThat(s.timeMicros()).hasValue(37);
        assertThat(s.stackDepth()).contains("0+16");
    }

    @Test
    void kernelAddressesAreMaskedAndLongLogsBounded() {
        StringBuilder b = new StringBuilder("1: (18) r1 = 0xffff888104781000 ; R1=map_ptr\n");
        for (int i = 0; i < 100_000; i++) {
            b.append(i).append(": (07) r1 += 1 ; R1=scalar(umax=0xffffffffffffffff)\n");
        }
        b.append("BPF program is too large. Processed 1000001 insn\n");
        VerifierLog log = VerifierLog.parse(b.toString(), false, slot -> Optional.empty());
        assertThat(log.text()).doesNotContain("0xffff888104781000").contains("0xffffffffffffffff");
        String bounded = log.bounded(100_000);
        assertThat(bounded.length()).isLessThan(101_000);
        assertThat(bounded).startsWith("1: (18) r1 = 0xffff____masked").endsWith("Processed 1000001 insn\n")
                .containsPattern("\\.\\.\\. \\d+ lines elided by bpfunit \\.\\.\\.");
        assertThat(log.rejectionCause()).isEqualTo(VerifierCause.COMPLEXITY_LIMIT);
    }
}
