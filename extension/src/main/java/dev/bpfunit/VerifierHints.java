package dev.bpfunit;

import dev.bpfunit.asm.Opcodes;
import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.spec.ProgramType;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one table that recognises a verifier error: ordered rows of a pattern over the verifier's error lines and
 * the {@link VerifierCause} it means, the first matching row winning. The patterns cover the wording of kernels
 * 6.1, 6.12 and 6.18. Errno hints for other commands live in {@code dev.bpfunit.sys.Hints}.
 */
public final class VerifierHints {

    /** One row: when an error line matches {@code pattern}, the cause is {@code cause}. */
    public record Row(VerifierCause cause, Pattern pattern) {
        static Row of(VerifierCause cause, String regex) {
            return new Row(cause, Pattern.compile(regex));
        }
    }

    /**
     * The rows in the order they are tried. Order matters where one message contains another's words: a helper
     * argument that is {@code *_or_null} is a missing NULL check, not a wrong type; a pointer returned at exit is
     * a leak, not a range error; "too large" is the stack's when it says "stack".
     */
    public static final List<Row> ROWS = List.of(
            Row.of(VerifierCause.CORE_RELOCATION, "failed to resolve CO-RE relocation|CO-RE relocation .* failed"),
            Row.of(VerifierCause.NULL_CHECK, "invalid mem access '\\w*_or_null'|type=\\w*_or_null expected="
                    + "|Possibly NULL pointer passed"),
            Row.of(VerifierCause.PACKET_BOUNDS, "invalid access to packet|offset is outside of the packet"),
            Row.of(VerifierCause.UNINIT_DYNPTR, "Expected an initialized (\\w+ )?dynptr as arg #\\d+"),
            Row.of(VerifierCause.UNINIT_REGISTER, "^R\\d+ !read_ok"),
            Row.of(VerifierCause.UNINIT_STACK, "invalid (indirect )?read from stack|invalid size of register "
                    + "fill|uninit(ialized)? stack"),
            Row.of(VerifierCause.STACK_LIMIT, "combined stack size of \\d+ calls is \\d+|stack size \\d+\\. Too "
                    + "large|stack depth \\d+ exceeds|invalid (indirect )?(read|write) .*stack.* off=-(51[3-9]|5[2-9]\\d"
                    + "|[6-9]\\d\\d|\\d{4,})"),
            Row.of(VerifierCause.UNBOUNDED_LOOP, "back-edge from insn|infinite loop detected|unbounded loop"),
            Row.of(VerifierCause.COMPLEXITY_LIMIT, "BPF program is too large|The sequence of \\d+ jumps is too "
                    + "complex|too many states"),
            Row.of(VerifierCause.UNRELEASED_REFERENCE, "Unreleased reference|would lead to reference leak"),
            Row.of(VerifierCause.SPIN_LOCK_CALL, "function calls are not allowed while holding a lock"),
            Row.of(VerifierCause.SPIN_LOCK_HELD, "bpf_spin_lock-ed region|bpf_spin_unlock is missing"),
            Row.of(VerifierCause.GPL_ONLY, "GPL-restricted function|non-GPL compatible program"),
            Row.of(VerifierCause.READ_ONLY_WRITE, "write into map forbidden|cannot write into (rdonly|read-only)"),
            Row.of(VerifierCause.CONTEXT_ACCESS, "invalid bpf_context access|dereference of modified ctx ptr"
                    + "|invalid (ctx|context) access|variable ctx access"),
            Row.of(VerifierCause.POINTER_ARITHMETIC, "pointer arithmetic .*prohibited|math between \\w+ pointer "
                    + "and|pointer arithmetic with it prohibited|arithmetic on \\w+ prohibited"),
            Row.of(VerifierCause.POINTER_LEAK, "leaks addr|is not a known value \\("),
            Row.of(VerifierCause.RETURN_RANGE, "At program exit the register R\\d+ has .*should have been in"),
            Row.of(VerifierCause.MAP_VALUE_BOUNDS, "invalid access to map value|outside of the allowed memory "
                    + "range|unbounded memory access|min value is negative"),
            Row.of(VerifierCause.INVALID_POINTER, "invalid mem access 'scalar'|invalid mem access 'inv'"),
            Row.of(VerifierCause.HELPER_ARGUMENT, "R\\d+ type=\\S+ expected=|arg#?\\s?\\d+ expected pointer"
                    + "|arg#\\d+ pointer type .* must point|expected an? (initialized|uninitialized) iter"),
            Row.of(VerifierCause.UNKNOWN_KFUNC, "kernel btf_id \\d+ is not a function|cannot find .* in kernel "
                    + "BTF|kfunc .* not found|invalid kernel function call not eliminated"),
            Row.of(VerifierCause.HELPER_NOT_ALLOWED, "unknown func \\w+#\\d+|program of this type cannot use "
                    + "helper|calling kernel function \\w+ is not allowed|helper call is not allowed"),
            Row.of(VerifierCause.UNKNOWN_OPCODE, "^unknown opcode [0-9a-f]{2}$"));

    private VerifierHints() {
    }

    /** The cause of the first row that matches one of {@code errorLines}, or {@link VerifierCause#OTHER}. */
    public static VerifierCause causeOf(List<String> errorLines) {
        for (Row row : ROWS) {
            for (String line : errorLines) {
                if (row.pattern().matcher(line).find()) {
                    return row.cause();
                }
            }
        }
        return VerifierCause.OTHER;
    }

    /**
     * What an opcode the kernel called unknown ({@code unknown opcode 8d}) is, and for {@code callx} the fix, which
     * is then the whole fix; for any other opcode only its fields, to which the cause's general fix is added.
     *
     * @return the text and whether it is the whole fix
     */
    static Advice unknownOpcode(int opcode) {
        String what = String.format("opcode 0x%02x (%s)", opcode, Opcodes.describe(opcode));
        if (opcode == Opcodes.CALLX) {
            return new Advice(what + " is callx, a call through a register, which clang emits for helper calls "
                    + "when it compiles without optimisation (-O0) and which no kernel accepts: compile with -O2: "
                    + ElfFile.BUILD_COMMAND, true);
        }
        return new Advice(what + " is not an instruction this kernel knows", false);
    }

    /** Advice specific to one log: its text, and whether it is the whole fix or comes before the cause's fix. */
    record Advice(String text, boolean wholeFix) {
    }

    private static final Set<ProgramType> PACKET_TYPES = EnumSet.of(ProgramType.XDP, ProgramType.SCHED_CLS,
            ProgramType.SCHED_ACT, ProgramType.SOCKET_FILTER, ProgramType.CGROUP_SKB, ProgramType.SK_SKB,
            ProgramType.LWT_IN, ProgramType.LWT_OUT, ProgramType.LWT_XMIT, ProgramType.FLOW_DISSECTOR);

    /**
     * What a program of {@code type} uses instead of {@code helper}, which the kernel refused for that type;
     * empty when bpfunit has no advice for that pair.
     */
    public static Optional<String> insteadOf(String helper, ProgramType type) {
        boolean xdp = type == ProgramType.XDP;
        boolean tc = type == ProgramType.SCHED_CLS || type == ProgramType.SCHED_ACT;
        boolean packet = PACKET_TYPES.contains(type);
        if (xdp && helper.startsWith("bpf_skb_")) {
            String xdpName = switch (helper) {
                case "bpf_skb_load_bytes" -> "bpf_xdp_load_bytes() (5.18+) or a direct read of ctx->data after "
                        + "a bounds check";
                case "bpf_skb_store_bytes" -> "bpf_xdp_store_bytes() (5.18+) or a direct write after a bounds "
                        + "check";
                case "bpf_skb_change_head", "bpf_skb_adjust_room" -> "bpf_xdp_adjust_head()";
                case "bpf_skb_change_tail" -> "bpf_xdp_adjust_tail()";
                default -> "the bpf_xdp_* helpers: XDP sees a struct xdp_md, not an sk_buff";
            };
            return Optional.of("XDP programs use " + xdpName);
        }
        if (tc && helper.startsWith("bpf_xdp_")) {
            return Optional.of("tc programs use the bpf_skb_* helpers (bpf_skb_load_bytes(), "
                    + "bpf_skb_store_bytes(), bpf_skb_adjust_room(), bpf_skb_change_tail())");
        }
        if (packet && (helper.startsWith("bpf_get_current_") || helper.equals("bpf_get_current_task_btf"))) {
            return Optional.of("networking programs run in softirq context with no process of their own: "
                    + "identify traffic by packet fields or ctx (ifindex, queue), or use bpf_get_socket_cookie() "
                    + "(tc, cgroup_skb) and match it to a process from a cgroup or socket program");
        }
        if (packet && helper.startsWith("bpf_probe_read")) {
            return Optional.of("read packet data directly through ctx->data after a bounds check against "
                    + "ctx->data_end, or with " + (xdp ? "bpf_xdp_load_bytes()" : "bpf_skb_load_bytes()"));
        }
        if (packet && (helper.equals("bpf_trace_printk") || helper.equals("bpf_trace_vprintk"))) {
            return Optional.of("bpf_printk() needs CAP_PERFMON on the loader; or send events through a ring "
                    + "buffer (bpf_ringbuf_output())");
        }
        if (packet && helper.equals("bpf_perf_event_output")) {
            return Optional.of("bpf_ringbuf_output() works from every program type (5.8+)");
        }
        if (!packet && (helper.startsWith("bpf_skb_") || helper.startsWith("bpf_xdp_"))) {
            return Optional.of("packet helpers belong to networking program types (xdp, tc); tracing programs "
                    + "read kernel data with bpf_probe_read_kernel() or BTF pointers");
        }
        return Optional.empty();
    }
}
