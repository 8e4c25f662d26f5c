package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A verifier log made readable: the error lines, the typed {@link VerifierCause} with a fix, the failing
 * instruction with the instructions that led to it (each with its source line and the register state the
 * verifier printed), the source line at fault and the statistics ({@code processed N insns}, states, time).
 * Kernel addresses in the log are masked ({@code 0xffff888104781000} and, with 5-level paging,
 * {@code 0xff4529c97a700400} become {@code 0xffff____masked}).
 */
public final class VerifierLog {

    // Instruction indices and counts are at most 9 digits here, so that they always fit an int: a longer
    // number is not the kernel's (its limits are 1,000,000 instructions), and the line is read as text.
    private static final Pattern INSN = Pattern.compile("^(\\d{1,9}): \\(([0-9a-f]{2})\\) (.*)$");
    private static final Pattern STATE_LINE = Pattern.compile("^(?:from \\d{1,9} to )?(\\d{1,9}):( frame\\d+:)? (R\\d.*)$");
    private static final Pattern PROCESSED = Pattern.compile("^processed (\\d{1,9}) insns.*");
    private static final Pattern STAT = Pattern.compile("(max_states_per_insn|total_states|peak_states|mark_read) "
            + "(\\d{1,9})");
    private static final Pattern TIME = Pattern.compile("^verification time (\\d{1,18}) usec");
    private static final Pattern STACK_DEPTH = Pattern.compile("^stack depth ([\\d+]+)");
    private static final Pattern SOURCE = Pattern.compile("^; (.*?)(?: @ (\\S+:\\d+))?$");
    /**
     * A kernel address: 16 hex digits in the kernel's half of the address space, {@code 0xffff...} with 4-level
     * paging and from {@code 0xff00...} with 5-level paging (a guest on a CPU with LA57 prints {@code
     * 0xff4529c97a700400}); not {@code 0xffffffffffffffff}, which is -1.
     */
    private static final Pattern KERNEL_ADDRESS = Pattern.compile("\\b0xff(?!f{14}\\b)[0-9a-f]{14}\\b");
    private static final Pattern WRITES_R0 = Pattern.compile("^(?:[rw]0 (?:[-+*/%&|^]|<<|>>|s>>)?= |call (?!pc)"
            + "|r0 = \\*)");
    private static final Pattern DYNPTR_ARG = Pattern.compile("Expected an initialized (?:\\w+ )?dynptr as arg #(\\d{1,9})");
    private static final Pattern ALLOC_INSN = Pattern.compile("alloc_insn=(\\d{1,9})");
    private static final Pattern RANGE = Pattern.compile("should have been in (\\[-?\\d+, ?-?\\d+\\]|\\(0x[0-9a-f]{1,16}; "
            + "0x[0-9a-f]{1,16}\\))");
    private static final Pattern HELPER_NAME = Pattern.compile("(?:unknown func|cannot use helper|calling kernel "
            + "function) (\\w+)");
    private static final Pattern CALL_NAME = Pattern.compile("^call (\\w+)#");
    private static final Pattern UNKNOWN_OPCODE = Pattern.compile("^unknown opcode ([0-9a-f]{2})$",
            Pattern.MULTILINE);
    /** How many instructions before the failing one {@link #context()} shows. */
    static final int CONTEXT_INSTRUCTIONS = 8;
    /** How many of the log's last lines the parser reads for the path (the error is at the end). */
    private static final int PATH_LINES = 20_000;

    /** A failing instruction: its index in the loaded program and the verifier's rendering. */
    public record Instruction(int index, String text) {
    }

    /**
     * One instruction on the path the verifier walked: its index, the kernel's rendering, the source line it came
     * from ({@code file:line: text}, when known) and the register state the verifier printed after it (may be
     * empty).
     */
    public record Step(int index, String text, Optional<String> source, String state) {
    }

    /**
     * The verifier's statistics. {@code timeMicros} is present when the log was asked with statistics (level
     * bit 4), which bpfunit does for rejected programs.
     */
    public record Statistics(int processedInstructions, int maxStatesPerInstruction, int totalStates,
                             int peakStates, OptionalLong timeMicros, Optional<String> stackDepth) {
    }

    /**
     * What the loader knows about a program whose log this is.
     *
     * @param type     the program type (for advice on helpers the type may not call); may be null
     * @param sourceOf the source line ({@code file:line: text}) of an instruction index, from line info
     * @param poisonOf for an instruction the loader poisoned on purpose (a CO-RE relocation it could not
     *                 resolve, a missing weak kfunc), the cause and why in words
     */
    public record Program(ProgramType type, IntFunction<Optional<String>> sourceOf,
                          IntFunction<Optional<Poison>> poisonOf) {
        /** A program known only by its line info. */
        public static Program withLines(IntFunction<Optional<String>> sourceOf) {
            return new Program(null, sourceOf, slot -> Optional.empty());
        }
    }

    /** An instruction the loader replaced with an invalid call on purpose, and why. */
    public record Poison(VerifierCause cause, String description) {
    }

    private final String text;
    private final boolean truncated;
    private final boolean middleMissing;
    private final boolean statisticsOnly;
    private final long lineCount;
    private final List<String> errorLines;
    private final Optional<Instruction> failing;
    private final List<Step> path;
    private final List<Integer> faultInstructions;
    private final Optional<String> source;
    private final VerifierCause rejectionCause;
    private final String fix;
    private final Optional<String> hint;
    private final Optional<Statistics> statistics;
    private final Optional<String> loaderNote;

    private VerifierLog(String rawText, boolean truncated, Program program) {
        this.text = mask(rawText);
        this.truncated = truncated;
        String tailText = tailLines(text, PATH_LINES);
        List<String> lines = tailText.lines().toList();
        this.lineCount = text.isEmpty() ? 0 : text.chars().filter(c -> c == '\n').count()
                + (text.endsWith("\n") ? 0 : 1);
        int end = lines.size();
        Integer processedInsns = null;
        Map<String, Integer> stats = new HashMap<>();
        Long micros = null;
        String depth = null;
        while (end > 0) {
            String l = lines.get(end - 1).trim();
            Matcher m = PROCESSED.matcher(l);
            Matcher t = TIME.matcher(l);
            Matcher d = STACK_DEPTH.matcher(l);
            if (m.matches()) {
                processedInsns = Integer.parseInt(m.group(1));
                Matcher s = STAT.matcher(l);
                while (s.find()) {
                    stats.put(s.group(1), Integer.parseInt(s.group(2)));
                }
                end--;
            } else if (t.find()) {
                micros = Long.parseLong(t.group(1));
                end--;
            } else if (d.find()) {
                depth = d.group(1);
                end--;
            } else if (l.isEmpty()) {
                end--;
            } else {
                break;
            }
        }
        this.statistics = processedInsns == null ? Optional.empty() : Optional.of(new Statistics(processedInsns,
                stats.getOrDefault("max_states_per_insn", 0), stats.getOrDefault("total_states", 0),
                stats.getOrDefault("peak_states", 0), micros == null ? OptionalLong.empty() : OptionalLong.of(micros),
                Optional.ofNullable(depth)));
        // the path: instruction lines with the source comment before them and the state after " ; "
        List<Step> steps = new ArrayList<>();
        List<Integer> stepLine = new ArrayList<>();
        String currentSource = null;
        for (int i = 0; i < end; i++) {
            String l = lines.get(i);
            Matcher s = SOURCE.matcher(l);
            if (s.matches()) {
                currentSource = s.group(2) == null ? s.group(1).trim() : s.group(2) + ": " + s.group(1).trim();
                continue;
            }
            Matcher m = INSN.matcher(l);
            if (m.matches()) {
                String rest = m.group(3);
                int semi = rest.indexOf(" ; ");
                String insnText = (semi >= 0 ? rest.substring(0, semi) : rest).strip();
                String state = semi >= 0 ? rest.substring(semi + 3).strip() : "";
                int index = Integer.parseInt(m.group(1));
                Optional<String> src = program.sourceOf().apply(index);
                steps.add(new Step(index, insnText, src.isPresent() ? src : Optional.ofNullable(currentSource),
                        state));
                stepLine.add(i);
            }
        }
        this.path = List.copyOf(steps);
        int lastInsn = stepLine.isEmpty() ? -1 : stepLine.get(stepLine.size() - 1);
        List<String> errors = new ArrayList<>();
        for (int i = Math.max(lastInsn + 1, end - 5); i < end; i++) {
            String l = lines.get(i).trim();
            if (!l.isEmpty() && !l.startsWith(";") && !STATE_LINE.matcher(l).matches()) {
                errors.add(l);
            }
        }
        if (errors.isEmpty() && end > 0) {
            errors.add(lines.get(end - 1).trim());
        }
        this.errorLines = List.copyOf(errors);
        // after a log's start and end were joined, only an instruction of the end can be the failing one
        int mark = lines.lastIndexOf(HEAD_END_MARK);
        this.middleMissing = mark >= 0;
        this.statisticsOnly = text.startsWith(STATISTICS_ONLY_MARK + "\n");
        Optional<Instruction> insn = steps.isEmpty() || lastInsn < mark ? Optional.empty()
                : Optional.of(new Instruction(steps.get(steps.size() - 1).index(), steps.get(steps.size() - 1).text()));
        this.failing = insn;

        String all = String.join("\n", errors);
        Optional<Poison> poison = Optional.empty();
        if (all.contains("invalid func") || all.contains("unknown#")) {
            poison = insn.flatMap(i -> program.poisonOf().apply(i.index()));
        }
        this.loaderNote = poison.map(Poison::description);
        VerifierCause cause = poison.map(Poison::cause).orElseGet(() -> VerifierHints.causeOf(errors));
        if (cause == VerifierCause.COMPLEXITY_LIMIT && loopsOnPath(steps)) {
            cause = VerifierCause.UNBOUNDED_LOOP;
        }
        this.rejectionCause = cause;

        List<Integer> fault = new ArrayList<>();
        Optional<String> faultSource = Optional.empty();
        StringBuilder specific = new StringBuilder();
        boolean wholeFix = false;
        switch (cause) {
            case RETURN_RANGE, POINTER_LEAK -> {
                for (int i = steps.size() - 2; i >= 0; i--) {
                    Step st = steps.get(i);
                    if (WRITES_R0.matcher(st.text()).find()) {
                        fault.add(st.index());
                        faultSource = st.source();
                        specific.append("R0 was last set by instruction ").append(st.index()).append(" (")
                                .append(st.text()).append(")").append(st.source().map(x -> " at " + place(x)).orElse(""));
                        break;
                    }
                }
                Matcher r = RANGE.matcher(all);
                if (r.find()) {
                    specific.insert(0, "this program type allows return values in " + range(r.group(1)) + "; ");
                }
            }
            case UNINIT_DYNPTR -> {
                Matcher m = DYNPTR_ARG.matcher(all);
                if (m.find()) {
                    int n = Integer.parseInt(m.group(1));
                    int cArg = dynptrArgument(n, steps);
                    String fn = insn.map(i -> CALL_NAME.matcher(i.text())).filter(Matcher::find)
                            .map(c -> c.group(1) + "()").orElse("the call");
                    specific.append("the dynptr is argument ").append(cArg).append(" of ").append(fn)
                            .append(" as C counts (the verifier's arg #").append(n).append(")");
                }
            }
            case UNRELEASED_REFERENCE -> {
                Matcher m = ALLOC_INSN.matcher(all);
                if (m.find()) {
                    int at = Integer.parseInt(m.group(1));
                    steps.stream().filter(s -> s.index() == at).reduce((a, b) -> b).ifPresent(s -> {
                        fault.add(at);
                        specific.append("acquired by instruction ").append(at).append(" (").append(s.text())
                                .append(")").append(s.source().map(x -> " at " + place(x)).orElse(""));
                        Matcher c = CALL_NAME.matcher(s.text());
                        if (c.find()) {
                            releaseOf(c.group(1)).ifPresent(r -> specific.append("; release it with ").append(r)
                                    .append(" on every path"));
                        }
                    });
                }
            }
            case HELPER_NOT_ALLOWED -> {
                Matcher m = HELPER_NAME.matcher(all);
                if (m.find()) {
                    String helper = m.group(1);
                    specific.append(helper).append(" is not available to ")
                            .append(program.type() == null ? "this program type"
                                    : program.type().name().toLowerCase(java.util.Locale.ROOT) + " programs")
                            .append(" on this kernel");
                    if (program.type() != null) {
                        VerifierHints.insteadOf(helper, program.type()).ifPresent(x -> specific.append("; ").append(x));
                    }
                }
            }
            case UNKNOWN_OPCODE -> {
                Matcher m = UNKNOWN_OPCODE.matcher(all);
                if (m.find()) {
                    VerifierHints.Advice advice = VerifierHints.unknownOpcode(Integer.parseInt(m.group(1), 16));
                    specific.append(advice.text());
                    wholeFix = advice.wholeFix();
                }
            }
            default -> {
            }
        }
        this.faultInstructions = List.copyOf(fault);
        Optional<String> fromLineInfo = insn.flatMap(i -> program.sourceOf().apply(i.index()));
        Optional<String> kernelSource = insn.isEmpty() ? Optional.empty() : steps.get(steps.size() - 1).source();
        Optional<String> atFailing = fromLineInfo.isPresent() ? fromLineInfo : kernelSource;
        this.source = cause == VerifierCause.RETURN_RANGE || cause == VerifierCause.POINTER_LEAK
                ? (faultSource.isPresent() ? faultSource : atFailing) : atFailing;
        boolean whole = wholeFix || specific.toString().contains("release it with")
                || cause == VerifierCause.HELPER_NOT_ALLOWED && specific.indexOf(";") >= 0;
        this.fix = specific.length() == 0 ? cause.fix() : whole ? specific.toString() : specific + ". " + cause.fix();
        this.hint = cause == VerifierCause.OTHER ? Optional.empty() : Optional.of(fix);
    }

    /**
     * Parses a log.
     *
     * @param text      the whole log
     * @param truncated whether the kernel cut it short
     * @param sourceOf  the source line ({@code file:line: text}) of an instruction index, from line info
     */
    public static VerifierLog parse(String text, boolean truncated, IntFunction<Optional<String>> sourceOf) {
        return new VerifierLog(text, truncated, Program.withLines(sourceOf));
    }

    /** Parses a log of {@code program}. */
    public static VerifierLog parse(String text, boolean truncated, Program program) {
        return new VerifierLog(text, truncated, program);
    }

    /**
     * The diagnosis of a program the kernel refused for its size before verifying it (E2BIG, no log).
     *
     * @param instructions the program's instruction count
     * @param limit        the most the kernel accepts from this loader
     */
    public static VerifierLog refusedSize(int instructions, int limit) {
        return new VerifierLog("the kernel refused the program's size before verifying it: " + instructions
                + " instructions, over the limit of " + limit + "\n", false,
                Program.withLines(slot -> Optional.empty()), VerifierCause.PROGRAM_TOO_LARGE);
    }

    private VerifierLog(String text, boolean truncated, Program program, VerifierCause forced) {
        this.text = text;
        this.truncated = truncated;
        this.middleMissing = false;
        this.statisticsOnly = false;
        this.lineCount = 1;
        this.errorLines = List.of(text.strip());
        this.failing = Optional.empty();
        this.path = List.of();
        this.faultInstructions = List.of();
        this.source = Optional.empty();
        this.rejectionCause = forced;
        this.fix = forced.fix();
        this.hint = Optional.of(fix);
        this.statistics = Optional.empty();
        this.loaderNote = Optional.empty();
    }

    /**
     * The line bpfunit puts between the start of a log that filled its buffer on a kernel that keeps a full log's
     * start (before 6.4) and that log's end, taken from a load with statistics only. Instructions before it are
     * the verifier's path as far as the start shows it; the failing instruction is not known.
     */
    static final String HEAD_END_MARK = "; ... bpfunit: the log's start ends here (the kernel keeps the start of a"
            + " full log before 6.4); its end, from a load with statistics only, follows ...";

    /**
     * The first line bpfunit gives the log of a load with statistics only when it stands for the whole log: the
     * verifier's error lines and statistics, no trace ({@link #statisticsOnly()}).
     */
    static final String STATISTICS_ONLY_MARK = "; ... bpfunit: a load with statistics only (the verifier's error lines"
            + " and statistics, no trace of the instructions) ...";

    /** {@code log}, the log of a load with statistics only, marked as standing for the whole log. */
    static String statisticsOnly(String log) {
        return STATISTICS_ONLY_MARK + "\n" + log;
    }

    /**
     * A log's start (cut at its last whole line) and its end from a load with statistics only, joined by
     * {@link #HEAD_END_MARK}.
     */
    static String joinHeadAndEnd(String head, String end) {
        int lastLine = head.lastIndexOf('\n');
        String whole = lastLine < 0 ? "" : head.substring(0, lastLine + 1);
        return whole + HEAD_END_MARK + "\n" + end;
    }

    /**
     * Replaces kernel addresses ({@code 0xffff888104781000}, {@code 0xff4529c97a700400}) with a mask, so that logs
     * can be published.
     */
    public static String mask(String log) {
        return KERNEL_ADDRESS.matcher(log).replaceAll("0xffff____masked");
    }

    /** Whether the path repeats instructions: a loop the verifier kept unrolling. */
    private static boolean loopsOnPath(List<Step> steps) {
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = Math.max(0, steps.size() - 2000); i < steps.size(); i++) {
            if (seen.merge(steps.get(i).index(), 1, Integer::sum) >= 3) {
                return true;
            }
        }
        return false;
    }

    /**
     * The C argument number (1-based) of the dynptr the verifier calls {@code arg #n}. Kernels before 6.14 count
     * from 1 (6.1: the argument, 6.12: the register), later ones from 0: the register that holds a stack pointer
     * tells which; when both could, the newer counting is assumed.
     */
    static int dynptrArgument(int n, List<Step> steps) {
        boolean zeroBased = pointsToStack(n + 1, steps);
        boolean oneBased = n >= 1 && pointsToStack(n, steps);
        if (oneBased && !zeroBased) {
            return n;
        }
        return n + 1;
    }

    private static boolean pointsToStack(int reg, List<Step> steps) {
        Pattern p = Pattern.compile("\\bR" + reg + "(?:_[rw]+)?=(\\S+)");
        for (int i = steps.size() - 1; i >= 0; i--) {
            Matcher m = p.matcher(steps.get(i).state());
            String value = null;
            while (m.find()) {
                value = m.group(1);
            }
            if (value != null) {
                return value.startsWith("fp") || value.contains("dynptr");
            }
        }
        return false;
    }

    /** {@code file:line} of a source line {@code file:line: text}. */
    private static String place(String source) {
        Matcher m = Pattern.compile("^([^:]+:\\d+)").matcher(source);
        return m.find() ? m.group(1) : source;
    }

    private static Optional<String> releaseOf(String acquire) {
        if (acquire.startsWith("bpf_ringbuf_reserve")) {
            return Optional.of(acquire.endsWith("_dynptr") ? "bpf_ringbuf_submit_dynptr() or "
                    + "bpf_ringbuf_discard_dynptr()" : "bpf_ringbuf_submit() or bpf_ringbuf_discard()");
        }
        if (acquire.startsWith("bpf_sk_lookup") || acquire.startsWith("bpf_skc_lookup")) {
            return Optional.of("bpf_sk_release()");
        }
        if (acquire.contains("_acquire")) {
            return Optional.of(acquire.replace("_acquire", "_release") + "()");
        }
        if (acquire.equals("bpf_obj_new_impl") || acquire.equals("bpf_percpu_obj_new_impl")) {
            return Optional.of("bpf_obj_drop()");
        }
        return Optional.empty();
    }

    /** The kernel's range {@code [0, 1]} or tnum {@code (0x0; 0x1)} as a range a person reads. */
    private static String range(String kernel) {
        if (kernel.startsWith("(")) {
            String[] parts = kernel.substring(1, kernel.length() - 1).split(";\\s*");
            long value = Long.parseUnsignedLong(parts[0].substring(2), 16);
            long mask = Long.parseUnsignedLong(parts[1].substring(2), 16);
            return "[" + value + ", " + (value | mask) + "]";
        }
        return kernel.replace(",", ", ").replace(",  ", ", ");
    }

    private static String tailLines(String text, int lines) {
        if (text.isEmpty()) {
            return text;
        }
        int pos = text.length();
        int count = 0;
        while (pos > 0 && count <= lines) {
            pos = text.lastIndexOf('\n', pos - 1);
            if (pos < 0) {
                return text;
            }
            count++;
        }
        return text.substring(pos + 1);
    }

    /**
     * The log bounded to about {@code maxChars}: its head and tail kept, the middle replaced by a line that says
     * how many lines were left out. Kernel addresses are masked.
     */
    public String bounded(int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int headEnd = text.lastIndexOf('\n', maxChars / 4);
        int tailStart = text.indexOf('\n', text.length() - (maxChars - maxChars / 4));
        if (headEnd < 0 || tailStart < 0 || tailStart <= headEnd) {
            return text.substring(text.length() - maxChars);
        }
        long elided = text.substring(headEnd + 1, tailStart + 1).chars().filter(c -> c == '\n').count();
        return text.substring(0, headEnd + 1) + "... " + elided + " lines elided by bpfunit ...\n"
                + text.substring(tailStart + 1);
    }

    /**
     * What the loader says the failing instruction stands for, when the loader put it there: {@code CO-RE
     * relocation for task_struct.pid: no field 'pid' on this kernel's task_struct}.
     */
    public Optional<String> cause() {
        return loaderNote;
    }

    /** Why the program was rejected, as a type. */
    public VerifierCause rejectionCause() {
        return rejectionCause;
    }

    /** The log, with kernel addresses masked. */
    public String text() {
        return text;
    }

    /** The number of lines of the log. */
    public long lineCount() {
        return lineCount;
    }

    /** Whether the log was cut short. */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Whether the log is the start of a log that filled its buffer joined to that log's end (kernels before 6.4
     * keep a full log's start; bpfunit takes the end from a load with statistics only): its middle is missing.
     */
    public boolean middleMissing() {
        return middleMissing;
    }

    /**
     * Whether the log is that of a load with statistics only: the verifier's error lines and statistics, without
     * the trace of the instructions it walked. bpfunit diagnoses a program it instrumented itself that way when the
     * verifier gave up on it at its limit ({@link InstrumentationRefusedException}), so no instruction is known.
     */
    public boolean statisticsOnly() {
        return statisticsOnly;
    }

    /** The lines that say what went wrong (the last lines before the statistics). */
    public List<String> errorLines() {
        return errorLines;
    }

    /** The last instruction the verifier printed before the error. */
    public Optional<Instruction> failingInstruction() {
        return failing;
    }

    /**
     * The instructions at fault when they are not the failing one: for a return value out of range, the
     * instruction that last set R0 (found by walking the verifier's path back); for an unreleased reference, the
     * instruction that acquired it.
     */
    public List<Integer> faultInstructions() {
        return faultInstructions;
    }

    /** The path the verifier walked (as far as the log shows it), in order, the failing instruction last. */
    public List<Step> path() {
        return path;
    }

    /** The failing instruction and up to eight instructions before it on the verifier's path. */
    public List<Step> context() {
        return path.subList(Math.max(0, path.size() - CONTEXT_INSTRUCTIONS - 1), path.size());
    }

    /**
     * The source line at fault, {@code file:line: text}: the failing instruction's, or for a return value out of
     * range the line of the instruction that last set R0.
     */
    public Optional<String> source() {
        return source;
    }

    /** What fixes this error, specific to this log where it can be (the argument, the helper, the range). */
    public String fix() {
        return fix;
    }

    /** What usually fixes this error; empty when the cause is not recognised. */
    public Optional<String> hint() {
        return hint;
    }

    /** The verifier's statistics, from its last lines. */
    public Optional<Statistics> statistics() {
        return statistics;
    }

    /** The number of instructions the verifier processed, from the {@code processed N insns} line. */
    public OptionalInt processedInstructions() {
        return statistics.map(s -> OptionalInt.of(s.processedInstructions())).orElse(OptionalInt.empty());
    }
}
