package dev.bpfunit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verifier log made readable: the error lines, the failing instruction, its source line, a hint and the
 * statistics of the last line ({@code processed N insns}).
 */
public final class VerifierLog {

    // Instruction indices and counts are at most 9 digits here, so that they always fit an int: a longer
    // number is not the kernel's (its limits are 1,000,000 instructions), and the line is read as text.
    private static final Pattern INSN = Pattern.compile("^(\\d{1,9}): \\(([0-9a-f]{2})\\) (.*)$");
    private static final Pattern PROCESSED = Pattern.compile("^processed (\\d{1,9}) insns.*");
    private static final Pattern SOURCE = Pattern.compile("^; (.*?)(?: @ (\\S+:\\d+))?$");

    /** A failing instruction: its index in the loaded program and the verifier's rendering. */
    public record Instruction(int index, String text) {
    }

    private static final List<String[]> HINTS = List.of(
            new String[]{"map_value_or_null", "check the pointer returned by bpf_map_lookup_elem() for NULL "
                    + "before using it: if (!val) return ...;"},
            new String[]{"_or_null", "a helper may return NULL here: check the pointer before dereferencing it"},
            new String[]{"invalid access to packet", "compare the pointer plus the size you read against "
                    + "ctx->data_end before the access (if ((void *)(hdr + 1) > data_end) return ...;)"},
            new String[]{"R0 !read_ok", "the program (or a subprogram) can reach exit without setting a "
                    + "return value"},
            new String[]{"!read_ok", "a register is read before it is written: initialise the variable"},
            new String[]{"invalid indirect read from stack", "stack memory passed to a helper must be "
                    + "initialised first (= {} or __builtin_memset)"},
            new String[]{"invalid read from stack", "a stack slot is read before it is written: initialise it"},
            new String[]{"unbounded min value", "bound the offset before adding it to a pointer (e.g. check "
                    + "it against a constant or mask it)"},
            new String[]{"back-edge", "loops need a bound the verifier can see (or use bpf_loop())"},
            new String[]{"infinite loop", "loops need a bound the verifier can see (or use bpf_loop())"},
            new String[]{"too large", "the program is too complex: split it with bpf-to-bpf calls, tail calls or "
                    + "bpf_loop()"},
            new String[]{"GPL", "helpers marked GPL-only need a GPL-compatible license: "
                    + "char LICENSE[] SEC(\"license\") = \"GPL\";"},
            new String[]{"unknown func", "this helper is not available to this program type or on this kernel"},
            new String[]{"program of this type cannot use helper", "this helper is not allowed for this "
                    + "program type"},
            new String[]{"dereference of modified ctx ptr", "read context fields at constant offsets straight "
                    + "from the ctx pointer"},
            new String[]{"invalid bpf_context access", "this context field cannot be accessed (at this size) "
                    + "by this program type"},
            new String[]{"misaligned", "the access is not aligned to its size"},
            new String[]{"unreachable insn", "the program has dead code the compiler left: build with -O2"},
            new String[]{"jump out of range", "a jump leaves the program: the object may be corrupt"},
            new String[]{"expected=", "a helper argument has the wrong type: check the helper's signature"},
            new String[]{"invalid mem access", "a pointer is used before the verifier can prove it is valid"});

    private final String text;
    private final boolean truncated;
    private final List<String> errorLines;
    private final Optional<Instruction> failing;
    private final Optional<String> source;
    private final Optional<String> hint;
    private final OptionalInt processed;
    private final Optional<String> cause;

    private VerifierLog(String text, boolean truncated, IntFunction<Optional<String>> sourceOf,
                        IntFunction<Optional<String>> poisonCauseOf) {
        this.text = text;
        this.truncated = truncated;
        List<String> lines = text.lines().toList();
        int end = lines.size();
        Integer processedInsns = null;
        // drop the statistics at the end
        while (end > 0) {
            String l = lines.get(end - 1).trim();
            Matcher m = PROCESSED.matcher(l);
            if (m.matches()) {
                processedInsns = Integer.parseInt(m.group(1));
                end--;
            } else if (l.isEmpty() || l.startsWith("verification time") || l.startsWith("stack depth")) {
                end--;
            } else {
                break;
            }
        }
        this.processed = processedInsns == null ? OptionalInt.empty() : OptionalInt.of(processedInsns);
        // the error lines: those after the last instruction or state line
        int lastInsn = -1;
        for (int i = end - 1; i >= 0; i--) {
            if (INSN.matcher(lines.get(i)).matches()) {
                lastInsn = i;
                break;
            }
        }
        List<String> errors = new ArrayList<>();
        for (int i = Math.max(lastInsn + 1, end - 5); i < end; i++) {
            String l = lines.get(i).trim();
            if (!l.isEmpty() && !l.startsWith(";")) {
                errors.add(l);
            }
        }
        if (errors.isEmpty() && end > 0) {
            errors.add(lines.get(end - 1).trim());
        }
        this.errorLines = List.copyOf(errors);
        Optional<Instruction> insn = Optional.empty();
        String kernelSource = null;
        if (lastInsn >= 0) {
            Matcher m = INSN.matcher(lines.get(lastInsn));
            if (m.matches()) {
                // drop the register state the verifier appends after " ; "
                String insnText = m.group(3).replaceFirst("\\s+;.*$", "");
                insn = Optional.of(new Instruction(Integer.parseInt(m.group(1)), insnText));
            }
            for (int i = lastInsn - 1; i >= 0; i--) {
                Matcher s = SOURCE.matcher(lines.get(i));
                if (s.matches()) {
                    kernelSource = s.group(2) == null ? s.group(1).trim() : s.group(2) + ": " + s.group(1).trim();
                    break;
                }
                if (INSN.matcher(lines.get(i)).matches() && lines.get(i).startsWith("0:")) {
                    break;
                }
            }
        }
        this.failing = insn;
        Optional<String> fromLineInfo = insn.flatMap(i -> sourceOf.apply(i.index()));
        this.source = fromLineInfo.isPresent() ? fromLineInfo : Optional.ofNullable(kernelSource);
        String all = String.join("\n", errors);
        this.hint = HINTS.stream().filter(h -> all.contains(h[0])).map(h -> h[1]).findFirst();
        boolean poisonedCall = all.contains("invalid func") || all.contains("unknown#");
        this.cause = poisonedCall ? insn.flatMap(i -> poisonCauseOf.apply(i.index())) : Optional.empty();
    }

    /**
     * Parses a log.
     *
     * @param text      the whole log
     * @param truncated whether the kernel cut it short
     * @param sourceOf  the source line ({@code file:line: text}) of an instruction index, from line info
     */
    public static VerifierLog parse(String text, boolean truncated, IntFunction<Optional<String>> sourceOf) {
        return new VerifierLog(text, truncated, sourceOf, slot -> Optional.empty());
    }

    /**
     * Parses a log of a program the loader changed on purpose: when the verifier stops at a call of an invalid
     * helper ({@code invalid func unknown#195896080}), {@code poisonCauseOf} says in words what the instruction at
     * that index stands for (a CO-RE relocation that could not be satisfied, a missing weak kfunc).
     */
    public static VerifierLog parse(String text, boolean truncated, IntFunction<Optional<String>> sourceOf,
                                    IntFunction<Optional<String>> poisonCauseOf) {
        return new VerifierLog(text, truncated, sourceOf, poisonCauseOf);
    }

    /**
     * Why the failing instruction is there, when the loader put it there: {@code CO-RE relocation for
     * task_struct.pid: no field 'pid' on this kernel's task_struct}.
     */
    public Optional<String> cause() {
        return cause;
    }

    /** The whole log. */
    public String text() {
        return text;
    }

    /** Whether the log was cut short. */
    public boolean truncated() {
        return truncated;
    }

    /** The lines that say what went wrong (the last lines before the statistics). */
    public List<String> errorLines() {
        return errorLines;
    }

    /** The last instruction the verifier printed before the error. */
    public Optional<Instruction> failingInstruction() {
        return failing;
    }

    /** The source line of the failing instruction: {@code file:line: text}. */
    public Optional<String> source() {
        return source;
    }

    /** What usually fixes this error. */
    public Optional<String> hint() {
        return hint;
    }

    /** The number of instructions the verifier processed, from the {@code processed N insns} line. */
    public OptionalInt processedInstructions() {
        return processed;
    }
}
