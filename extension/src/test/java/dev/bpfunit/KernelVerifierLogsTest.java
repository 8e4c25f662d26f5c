package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.spec.ProgramType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real verifier logs of the samples' rejected programs on Debian's 6.1 and 6.12 kernels (collected in the
 * kernel-vm guests) and on 6.18 (the CI machine), kernel addresses masked, under {@code /verifier/<kernel>/}: each
 * kernel's wording gives the same cause, source line and fix as {@code RejectionCauseTest} checks against the
 * running kernel, so that the recognition of every kernel's wording is tested on any machine.
 *
 * <p>Here there is no line info (the source line comes from the kernel's {@code ; text @ file:line} comments,
 * which 6.1 prints without {@code @ file:line}), and for the two programs the loader poisons on purpose (a CO-RE
 * relocation it could not resolve, a missing kfunc) the loader's note is given as the loader gives it.
 */
class KernelVerifierLogsTest {

    static final List<String> KERNELS = List.of("6.1", "6.12", "6.18");

    /** A rejection of one sample: the log's name, the cause, the source line (0: none), its text and the fix. */
    record Expected(String log, VerifierCause cause, int line, String text, String fix) {
        String file() {
            String object = log.contains("-") ? log.substring(0, log.indexOf('-')) : log;
            return object + ".bpf.c";
        }
    }

    static final List<Expected> EXPECTED = List.of(
            new Expected("rejected-null_deref", VerifierCause.NULL_CHECK, 27, "*count += 1;", "NULL"),
            new Expected("rejected_packet_bounds", VerifierCause.PACKET_BOUNDS, 13, "eth->h_proto == 0", "data_end"),
            new Expected("rejected_uninit_register", VerifierCause.UNINIT_REGISTER, 13, "= r9", "initialise"),
            new Expected("rejected_uninit_dynptr", VerifierCause.UNINIT_DYNPTR, 14, "bpf_dynptr_read(",
                    "argument 3 of bpf_dynptr_read()"),
            new Expected("rejected_stack_size", VerifierCause.STACK_LIMIT, 0, "", "per-CPU array"),
            new Expected("rejected_ringbuf_leak", VerifierCause.UNRELEASED_REFERENCE, 21, "}",
                    "release it with bpf_ringbuf_submit() or bpf_ringbuf_discard()"),
            new Expected("rejected_socket_leak", VerifierCause.UNRELEASED_REFERENCE, 0, "", "bpf_sk_release()"),
            new Expected("rejected_spin_lock-spin_lock_held", VerifierCause.SPIN_LOCK_HELD, 0, "",
                    "bpf_spin_unlock()"),
            new Expected("rejected_spin_lock-spin_lock_call", VerifierCause.SPIN_LOCK_CALL, 42,
                    "bpf_get_prandom_u32()", "before bpf_spin_lock()"),
            new Expected("rejected_gpl_only", VerifierCause.GPL_ONLY, 10, "bpf_printk(", "\"GPL\""),
            new Expected("rejected_rodata_write", VerifierCause.READ_ONLY_WRITE, 12, "&limit", "drop const"),
            new Expected("rejected_ctx_access", VerifierCause.CONTEXT_ACCESS, 10, "__u64 both", "ctx->field"),
            new Expected("rejected_pointer_arithmetic", VerifierCause.POINTER_ARITHMETIC, 14, "+= -4", "data_end"),
            new Expected("rejected_pointer_leak", VerifierCause.POINTER_LEAK, 19, "return (long)bpf_map_lookup_elem",
                    "not a pointer"),
            new Expected("rejected_map_value_bounds", VerifierCause.MAP_VALUE_BOUNDS, 26, "s->slot[",
                    "bound the index"),
            new Expected("rejected_helper_arg", VerifierCause.HELPER_ARGUMENT, 18, "bpf_map_lookup_elem(&seen, ctx)",
                    "stack or map memory"),
            new Expected("rejected_helper_type", VerifierCause.HELPER_NOT_ALLOWED, 13, "bpf_skb_load_bytes(",
                    "XDP programs use bpf_xdp_load_bytes()"),
            new Expected("rejected_unknown_kfunc", VerifierCause.UNKNOWN_KFUNC, 13, "bpfunit_no_such_kfunc(",
                    "bpf_ksym_exists"),
            new Expected("rejected_return_range", VerifierCause.RETURN_RANGE, 13, "return mark & 3",
                    "this program type allows return values in [0, 1]"),
            new Expected("core_missing", VerifierCause.CORE_RELOCATION, 18, "bpf_get_current_task()",
                    "bpf_core_field_exists"),
            new Expected("rejected_complexity", VerifierCause.COMPLEXITY_LIMIT, 0, "", "global (non-static) function"),
            new Expected("rejected_unbounded_loop", VerifierCause.UNBOUNDED_LOOP, 0, "", "bpf_loop()"));

    static Stream<Arguments> logs() {
        List<Arguments> all = new ArrayList<>();
        for (String kernel : KERNELS) {
            for (Expected e : EXPECTED) {
                all.add(Arguments.of(kernel, e));
            }
        }
        return all.stream();
    }

    static VerifierLog parse(String kernel, String name) {
        String text = VerifierLogTest.fixture(kernel + "/" + name + ".log");
        ProgramType type = name.equals("rejected_helper_type") ? ProgramType.XDP : null;
        return VerifierLog.parse(text, false, new VerifierLog.Program(type, slot -> Optional.empty(),
                slot -> poison(name)));
    }

    /** What the loader says of the instruction it poisoned, for the two samples where it poisons one. */
    private static Optional<VerifierLog.Poison> poison(String name) {
        return switch (name) {
            case "core_missing" -> Optional.of(new VerifierLog.Poison(VerifierCause.CORE_RELOCATION,
                    "CO-RE relocation for task_struct___bpfunit.no_such_field: no such field in this kernel"));
            case "rejected_unknown_kfunc" -> Optional.of(new VerifierLog.Poison(VerifierCause.UNKNOWN_KFUNC,
                    "call to kfunc bpfunit_no_such_kfunc, which this kernel does not have"));
            default -> Optional.empty();
        };
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("logs")
    void eachKernelsWordingGivesTheCauseTheLineAndTheFix(String kernel, Expected expected) {
        VerifierLog log = parse(kernel, expected.log());
        assertThat(log.rejectionCause()).as("cause; error lines %s", log.errorLines()).isEqualTo(expected.cause());
        assertThat(log.fix()).contains(expected.fix());
        assertThat(log.text()).doesNotContainPattern("\\b0xff(?!f{14}\\b)[0-9a-f]{14}\\b");
        if (expected.line() > 0) {
            // 6.1 prints the source text only; 6.12 and later add " @ file:line"
            String where = kernel.equals("6.1") ? "" : expected.file() + ":" + expected.line() + ": ";
            assertThat(log.source()).hasValueSatisfying(s -> assertThat(s).startsWith(where)
                    .contains(expected.text()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void anUnboundedLoopIsToldFromItsPathAndEndsWithTheStatistics(String kernel) {
        VerifierLog log = parse(kernel, "rejected_unbounded_loop");
        assertThat(log.errorLines()).anyMatch(l -> l.startsWith("BPF program is too large."));
        assertThat(log.processedInstructions()).hasValue(1_000_001);
        assertThat(log.context()).isNotEmpty();
    }

    static Stream<String> kernels() {
        return KERNELS.stream();
    }

    @Test
    void aLogsStartAndItsEndFromAStatisticsOnlyLoadAreJoinedAsBeforeSixFour() {
        // before 6.4 the kernel keeps the start of a full log: bpfunit keeps that start and takes the end from a
        // load with statistics only; here the start of 6.12's log of the loop (its path) and the end 6.1 prints
        String loop = VerifierLogTest.fixture("6.12/rejected_unbounded_loop.log");
        String start = loop.substring(0, loop.lastIndexOf('\n', loop.indexOf(" lines elided by bpfunit")) + 1);
        String end = "BPF program is too large. Processed 1000001 insn\nverification time 61234567 usec\n"
                + "stack depth 0\nprocessed 1000001 insns (limit 1000000) max_states_per_insn 4 total_states 10393 "
                + "peak_states 10393 mark_read 3\n";
        VerifierLog log = VerifierLog.parse(VerifierLog.joinHeadAndEnd(start, end), true, slot -> Optional.empty());
        assertThat(log.text()).contains(VerifierLog.HEAD_END_MARK);
        assertThat(log.rejectionCause()).isEqualTo(VerifierCause.UNBOUNDED_LOOP);
        assertThat(log.failingInstruction()).as("not known: the log's middle is missing").isEmpty();
        assertThat(log.source()).isEmpty();
        assertThat(log.path()).hasSizeGreaterThan(100);
        assertThat(log.errorLines()).containsExactly("BPF program is too large. Processed 1000001 insn");
        assertThat(log.processedInstructions()).hasValue(1_000_001);
    }

    @Test
    void sixOnesLogOfTheLoopIsTheStartOfAFullLogJoinedToTheEndOfAStatisticsOnlyLoad() {
        VerifierLog log = parse("6.1", "rejected_unbounded_loop");
        assertThat(log.text()).contains(VerifierLog.HEAD_END_MARK);
        assertThat(log.middleMissing()).isTrue();
        assertThat(parse("6.12", "rejected_unbounded_loop").middleMissing()).as("6.4+ keeps the end").isFalse();
        assertThat(new VerifierException("loop.bpf.o", "unbounded_loop", "E2BIG", log).getMessage())
                .contains("its start and its end are kept, not its middle").contains("lines of its start and end")
                .doesNotContain("its end is kept");
        assertThat(log.failingInstruction()).as("not known: the log's middle is missing").isEmpty();
        assertThat(log.errorLines()).containsExactly("BPF program is too large. Processed 1000001 insn");
        assertThat(log.statistics()).hasValueSatisfying(s -> assertThat(s.totalStates()).isPositive());
    }

    @Test
    void joiningCutsTheStartAtItsLastWholeLine() {
        String joined = VerifierLog.joinHeadAndEnd("0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n1: (05) go",
                "BPF program is too large. Processed 1000001 insn\nprocessed 1000001 insns (limit 1000000)\n");
        assertThat(joined).isEqualTo("0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n" + VerifierLog.HEAD_END_MARK + "\n"
                + "BPF program is too large. Processed 1000001 insn\nprocessed 1000001 insns (limit 1000000)\n");
        VerifierLog log = VerifierLog.parse(joined, true, slot -> Optional.empty());
        assertThat(log.path()).extracting(VerifierLog.Step::index).containsExactly(0);
        assertThat(log.failingInstruction()).isEmpty();
        assertThat(log.rejectionCause()).isEqualTo(VerifierCause.COMPLEXITY_LIMIT);
    }

    @Test
    void fiveLevelPagingAddressesAreMaskedToo() {
        assertThat(VerifierLog.mask("4: (18) r1 = 0xff4529c97a700400 ; 0xffff888104781000 -1=0xffffffffffffffff"))
                .isEqualTo("4: (18) r1 = 0xffff____masked ; 0xffff____masked -1=0xffffffffffffffff");
    }
}
