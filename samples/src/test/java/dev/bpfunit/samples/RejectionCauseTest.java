package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThatVerifierRejects;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.VerifierCause;
import dev.bpfunit.VerifierException;
import dev.bpfunit.assertj.VerifierExceptionAssert;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each common reason the kernel refuses a program, shown by a real sample the kernel rejects: the diagnosis names
 * the typed cause, the source line at fault and a fix. The samples are {@code rejected*.bpf.c}. The kernel matrix
 * runs this on Debian's 6.1 and 6.12 as well as natively (6.18 on the CI machine): every sample is rejected for the
 * same cause on the three, in their own wording (their logs are {@code KernelVerifierLogsTest}'s fixtures).
 */
class RejectionCauseTest {

    static Stream<Arguments> rejections() {
        return Stream.of(
                Arguments.of("rejected", "null_deref", VerifierCause.NULL_CHECK, 27, "NULL"),
                Arguments.of("rejected_packet_bounds", "", VerifierCause.PACKET_BOUNDS, 13, "data_end"),
                Arguments.of("rejected_uninit_register", "", VerifierCause.UNINIT_REGISTER, 13, "initialise"),
                Arguments.of("rejected_uninit_dynptr", "", VerifierCause.UNINIT_DYNPTR, 14,
                        "argument 3 of bpf_dynptr_read()"),
                Arguments.of("rejected_stack_size", "", VerifierCause.STACK_LIMIT, 0, "per-CPU array"),
                Arguments.of("rejected_ringbuf_leak", "", VerifierCause.UNRELEASED_REFERENCE, 21,
                        "rejected_ringbuf_leak.bpf.c:15; release it with bpf_ringbuf_submit() or bpf_ringbuf_discard()"),
                Arguments.of("rejected_socket_leak", "", VerifierCause.UNRELEASED_REFERENCE, 0, "bpf_sk_release()"),
                Arguments.of("rejected_spin_lock", "spin_lock_held", VerifierCause.SPIN_LOCK_HELD, 0,
                        "bpf_spin_unlock()"),
                Arguments.of("rejected_spin_lock", "spin_lock_call", VerifierCause.SPIN_LOCK_CALL, 42,
                        "before bpf_spin_lock()"),
                Arguments.of("rejected_gpl_only", "", VerifierCause.GPL_ONLY, 10, "\"GPL\""),
                Arguments.of("rejected_rodata_write", "", VerifierCause.READ_ONLY_WRITE, 12, "drop const"),
                Arguments.of("rejected_ctx_access", "", VerifierCause.CONTEXT_ACCESS, 10, "ctx->field"),
                Arguments.of("rejected_pointer_arithmetic", "", VerifierCause.POINTER_ARITHMETIC, 14, "data_end"),
                Arguments.of("rejected_pointer_leak", "", VerifierCause.POINTER_LEAK, 19, "not a pointer"),
                Arguments.of("rejected_map_value_bounds", "", VerifierCause.MAP_VALUE_BOUNDS, 26, "bound the index"),
                Arguments.of("rejected_helper_arg", "", VerifierCause.HELPER_ARGUMENT, 18, "stack or map memory"),
                Arguments.of("rejected_helper_type", "", VerifierCause.HELPER_NOT_ALLOWED, 13,
                        "XDP programs use bpf_xdp_load_bytes()"),
                Arguments.of("rejected_unknown_kfunc", "", VerifierCause.UNKNOWN_KFUNC, 13, "bpf_ksym_exists"),
                Arguments.of("rejected_return_range", "", VerifierCause.RETURN_RANGE, 13,
                        "this program type allows return values in [0, 1]"),
                Arguments.of("core_missing", "", VerifierCause.CORE_RELOCATION, 18, "bpf_core_field_exists"),
                Arguments.of("rejected_complexity", "", VerifierCause.COMPLEXITY_LIMIT, 0, "global (non-static) "
                        + "function"),
                // rejected_unbounded_loop: anUnboundedLoopsLogIsKeptBoundedWithItsEnd (one load of it is enough: each
                // runs the verifier to its limit twice, one to two minutes in a TCG guest of 6.12)
                Arguments.of("rejected_too_large", "", VerifierCause.PROGRAM_TOO_LARGE, 0, "tail calls"));
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("rejections")
    void theDiagnosisNamesTheCauseTheLineAndAFix(String object, String program, VerifierCause cause, int line,
                                                 String fix) {
        BpfObjectLoader loader = BpfObject.loader(Samples.object(object));
        if (object.equals("rejected_spin_lock")) {
            loader.skipProgram(program.equals("spin_lock_held") ? "spin_lock_call" : "spin_lock_held");
        }
        VerifierExceptionAssert rejection = assertThatVerifierRejects(loader).hasCause(cause).withFixContaining(fix);
        if (line > 0) {
            rejection.atSourceLine(object + ".bpf.c", line);
        }
    }

    // snippet:rejection-cause
    @Test
    void aReturnValueOutOfRangeIsTracedToTheInstructionThatSetIt() {
        assertThatVerifierRejects(BpfObject.loader(Samples.object("rejected_return_range")))
                .hasCause(VerifierCause.RETURN_RANGE)
                .atInstruction(1)                                  // r0 &= 3: the last write to R0 on the path
                .atSourceLine("rejected_return_range.bpf.c", 13)   // return mark & 3;
                .withFixContaining("[0, 1]");
    }
    // end:rejection-cause

    @Test
    void aProgramOverTheInstructionLimitIsRefusedBeforeVerifying() {
        VerifierException e = assertThatVerifierRejects(BpfObject.loader(Samples.object("rejected_too_large")))
                .hasCause(VerifierCause.PROGRAM_TOO_LARGE).actual();
        assertThat(e.errno()).isIn("E2BIG", "EINVAL");
        assertThat(e.getMessage()).contains("refused the program's size before verifying it: 1000002 instructions, "
                + "over the limit of 1000000");
    }

    @Test
    void anUnboundedLoopsLogIsKeptBoundedWithItsEnd() {
        VerifierException e = assertThatVerifierRejects(BpfObject.loader(Samples.object("rejected_unbounded_loop")))
                .hasCause(VerifierCause.UNBOUNDED_LOOP).withFixContaining("bpf_loop()")
                .processedAtMostInstructions(1_000_001).actual();
        assertThat(e.verifierLog().errorLines()).anyMatch(l -> l.contains("too large"));
        assertThat(e.verifierLog().bounded(2 * 1024 * 1024).length()).isLessThanOrEqualTo(2 * 1024 * 1024 + 100);
        assertThat(e.verifierLog().context()).isNotEmpty();
        // kernel addresses masked, also those of 5-level paging (0xff45...), as a guest on a CPU with LA57 prints
        assertThat(e.log()).doesNotContainPattern("\\b0xff(?!f{14}\\b)[0-9a-f]{14}\\b");
    }
}
