package dev.bpfunit;

import dev.bpfunit.asm.Instruction;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfExt;
import dev.bpfunit.btf.CoreFixup;
import dev.bpfunit.btf.CoreResult;
import dev.bpfunit.btf.Func;
import dev.bpfunit.btf.LineInfo;
import dev.bpfunit.btf.Typedef;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.SectionDefs;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfConstants;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.ProgLoadAttr;
import dev.bpfunit.sys.SystemInfo;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The program half of a load, as libbpf's {@code bpf_object__load_progs}: BPF_PROG_LOAD of one linked program with
 * its func and line info and attach target, the verifier log grown until it fits, and a rejection turned into a
 * {@link VerifierException} (the program loaded again with a log where none was asked for). {@link BpfObjectLoader}
 * runs it for each program after the maps exist; {@link ProgramLinking} gives it the instructions.
 */
final class ProgramLoading {

    /**
     * The log buffer for diagnosing a rejection on kernels that keep the log's end when it is full (6.4+): the
     * error is at the end, and an unbounded loop's log would otherwise take 100 MB and more.
     */
    static final int FAILURE_LOG_SIZE = 8 * 1024 * 1024;
    /**
     * The most of a log's start asked for when diagnosing a rejection on kernels that keep the start of a full log
     * (before 6.4): each larger buffer means verifying the program once more. The end (the error and the
     * statistics) of a longer log is that of a load with statistics only ({@link BpfConstants#BPF_LOG_STATS}),
     * which prints no trace: the program's own load when no log was asked for. A program the verifier gave up on at
     * its instruction limit (E2BIG: an unbounded loop, a complexity limit, whose whole log is 100 MB and more there)
     * keeps the first buffer's start without growing it: with the end at hand, its diagnosis verifies it once more,
     * as on 6.4+.
     */
    static final int HEAD_LOG_SIZE = 2 * 1024 * 1024;
    /**
     * The buffer of a load with statistics only: the error lines and the statistics. A program loaded without a
     * log asked for is loaded with it, which costs the verifier nothing but those lines: a rejection's diagnosis
     * then has the log's end at hand, and knows whether the kernel keeps a full log's end (it says the log's true
     * size, 6.4+).
     */
    static final int END_LOG_SIZE = 64 * 1024;

    private final ObjectSpec spec;
    private final Fd btfFd;
    private final int logLevel;
    private final int logSize;
    private final Supplier<KernelTarget> kernelTarget;
    /** The load's extern resolver if it made one, else null (only read: a poisoned kfunc's name). */
    private final Supplier<ExternResolver> existingExterns;
    /**
     * Whether a program the verifier gave up on at its limit (E2BIG) is diagnosed from its statistics-only load
     * alone, without loading it once more for the trace: for bpfunit's instrumented copy of an object, whose refusal
     * is reported beside the plain program's outcome ({@link InstrumentationRefusedException}) or replaced by the
     * plain program's own diagnosis. On 6.4+ kernels the verifier formats every line of a level-1 log even when
     * only its end is kept, so that trace costs about five times the statistics-only load of such a program.
     */
    private final boolean limitFromStatistics;

    ProgramLoading(ObjectSpec spec, Fd btfFd, int logLevel, int logSize, Supplier<KernelTarget> target,
                   Supplier<ExternResolver> externs, boolean limitFromStatistics) {
        this.limitFromStatistics = limitFromStatistics;
        this.spec = spec;
        this.btfFd = btfFd;
        this.logLevel = logLevel;
        this.logSize = logSize;
        this.kernelTarget = target;
        this.existingExterns = externs;
    }

    /** The kernel BTF attach targets are found in, opened by the load on first use. */
    private KernelTarget target() {
        return kernelTarget.get();
    }

    /**
     * Links and loads one program, retried with a larger log while the log asked for does not fit (with statistics
     * only when none was asked for: {@link #END_LOG_SIZE}); a rejection becomes a {@link VerifierException} with
     * the log, an EPERM a {@link BpfException} saying what it attached to.
     */
    BpfProgram load(ProgramSpec p, ProgramLinking linking) {
        if (p.type() == ProgramType.UNSPEC) {
            throw new BpfException("program '" + p.name() + "': section '" + p.section() + "' does not say the "
                    + "program type: give it with BpfObject.loader(path).programType(\"" + p.name()
                    + "\", ProgramType.XDP) (or another type), or skip it with skipProgram(\"" + p.name()
                    + "\")");
        }
        if (p.type() == ProgramType.STRUCT_OPS) {
            // libbpf loads such a program for the member of a .struct_ops map that points at it (the kernel needs
            // the struct's BTF id and the member's index); bpfunit does not read .struct_ops maps.
            throw new BpfException("program '" + p.name() + "' (section '" + p.section() + "'): struct_ops programs"
                    + " are not supported: bpfunit does not create the .struct_ops maps that give the kernel their "
                    + "struct and member; skip it with BpfObject.loader(path).skipProgram(\"" + p.name() + "\")");
        }
        ProgramLinking.Linked linked = linking.link(p);
        CoreResult core = linked.core();
        byte[] insns = linked.instructions();
        ExternResolver.FdArray fdArray = linked.fdArray();
        int size = logSize;
        boolean statistics = logLevel == 0;
        while (true) {
            ProgLoadAttr attr = statistics ? statisticsAttr(p, insns, fdArray) : programAttr(p, insns, fdArray);
            if (logLevel > 0) {
                attr.logSize(size);
            }
            // the attr's native copies and log are freed as soon as its answer is read (finally, below)
            try {
                Fd fd = Bpf.progLoad(attr);
                VerifierLog log = logLevel > 0
                        ? VerifierLog.parse(attr.log(), false,
                        new VerifierLog.Program(p.type(), slot -> sourceLine(p, slot), slot -> Optional.empty())) : null;
                return new BpfProgram(p, fd, log);
            } catch (BpfSyscallException e) {
                if (statistics && e.errno() == Errno.ENOSPC) {
                    // error lines longer than the statistics' buffer, which then stand for the outcome (a kernel
                    // before 6.4 does not even keep a program that passed): load it without a log to learn it
                    statistics = false;
                    continue;
                }
                if (logLevel > 0 && e.errno() == Errno.ENOSPC && size < ProgLoadAttr.MAX_LOG_SIZE) {
                    // the log asked for did not fit (kernels 6.4+ then fail the load): grow it and load again,
                    // unless a kernel that keeps a full log's start (before 6.4) would reject the program
                    // anyway: its log may be 100 MB and more (an unbounded loop), so diagnose it as a rejection
                    if (attr.logTrueSize() == 0 && size >= HEAD_LOG_SIZE) {
                        StatisticsOnly end = statisticsOnly(p, insns, fdArray);
                        if (end.error().isPresent()) {
                            throw verifierFailure(p, insns, fdArray, end.error().get(), core, end);
                        }
                    }
                    size = grownLogSize(size, attr.logTrueSize());
                    continue;
                }
                if (e.errno() == Errno.EPERM || e.errno() == Errno.ENOMEM && logLevel == 0
                        || e.errno() == Errno.EMFILE || e.errno() == Errno.ENFILE) {
                    // not the verifier's answer: no rights, no memory, no fd left for the program (loading it
                    // again with a log would only fail the same way)
                    throw new BpfException(e.getMessage() + attachNote(p, e), e);
                }
                throw verifierFailure(p, insns, fdArray, e, core,
                        statistics ? StatisticsOnly.of(attr, Optional.of(e)) : null);
            } finally {
                attr.close();
            }
        }
    }

    /** For an EPERM on a program with an attach target: what it was going to attach to. */
    private String attachNote(ProgramSpec p, BpfSyscallException e) {
        if (e.errno() != Errno.EPERM || p.attachTarget() == SectionDefs.AttachTarget.NONE) {
            return "";
        }
        return " (a " + p.type().name().toLowerCase(java.util.Locale.ROOT) + " program attaching to '"
                + p.attachTo() + "', BTF id " + attachBtfId(p) + " in " + target().name() + "; this kernel "
                + "refused it: some kernels do not allow BPF trampolines, for example under lockdown or without "
                + "CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)";
    }

    private ProgLoadAttr programAttr(ProgramSpec p, byte[] insns, ExternResolver.FdArray fdArray) {
        ProgLoadAttr attr = new ProgLoadAttr().progType(p.type().number()).instructions(insns)
                .license(p.license()).kernVersion(p.kernelVersion() != 0 ? p.kernelVersion()
                        : SystemInfo.kernelVersionCode())
                .progFlags(p.flags()).progName(p.name()).expectedAttachType(p.attachType().kernelValue());
        if (btfFd != null && !p.funcInfos().isEmpty()) {
            attr.progBtfFd(btfFd)
                    .funcInfo(8, BtfExt.encodeFuncInfos(p.funcInfos()), p.funcInfos().size())
                    .lineInfo(16, BtfExt.encodeLineInfos(p.lineInfos()), p.lineInfos().size());
        }
        if (p.attachTarget() != SectionDefs.AttachTarget.NONE) {
            attr.attachBtfId(attachBtfId(p));
        }
        if (!fdArray.isEmpty()) {
            attr.fdArray(fdArray.fds());
        }
        if (logLevel > 0) {
            attr.logLevel(logLevel).logSize(logSize);
        }
        return attr;
    }

    private int attachBtfId(ProgramSpec p) {
        String target = p.attachTo();
        if (target.isEmpty()) {
            throw new BpfException("program '" + p.name() + "': section '" + p.section() + "' names no attach "
                    + "target: write it as " + p.section() + "/<name>");
        }
        Btf vmlinux = target().vmlinux();
        Optional<Integer> id = switch (p.attachTarget()) {
            case KERNEL_FUNCTION -> vmlinux.findId(target, Func.class);
            case LSM_HOOK -> vmlinux.findId("bpf_lsm_" + target, Func.class);
            case ITERATOR -> vmlinux.findId("bpf_iter_" + target, Func.class);
            case BTF_TRACEPOINT -> vmlinux.findId("btf_trace_" + target, Typedef.class);
            case PROGRAM -> throw new BpfException("program '" + p.name() + "': freplace programs are not "
                    + "supported yet");
            case NONE -> Optional.of(0);
        };
        return id.orElseThrow(() -> new BpfException("program '" + p.name() + "': section '" + p.section()
                + "' attaches to '" + target + "', which " + target().name() + "'s BTF (" + target().where()
                + ") does not have: check the name, or skip the program on this kernel"));
    }

    /**
     * Turns a failed load into a diagnosis: a size the kernel refuses before verifying is said as such;
     * otherwise the program is loaded again with a log (level 1 and statistics, or the level asked for). On
     * kernels that keep the log's end when the buffer is full (6.4+) the buffer stays bounded, since the error
     * is at the end: {@link #FAILURE_LOG_SIZE} at once when the kernel is known to be one, else grown to it. Older
     * kernels keep the start, so there the buffer grows to {@link #HEAD_LOG_SIZE} and, when the log is longer
     * still, its end is that of a load with statistics only: {@code known}, when the caller already made one (the
     * program's own load without a log asked for, or a probe), else one more load. A program given up on at the
     * verifier's limit is diagnosed from that statistics-only load when {@link #limitFromStatistics} says so and
     * no log was asked for.
     */
    private RuntimeException verifierFailure(ProgramSpec p, byte[] insns, ExternResolver.FdArray fdArray,
                                             BpfSyscallException first, CoreResult core, StatisticsOnly known) {
        int count = insns.length / 8;
        int limit = SystemInfo.hasCapBpf() ? BpfConstants.BPF_COMPLEXITY_LIMIT_INSNS : BpfConstants.BPF_MAXINSNS;
        if ((first.errno() == Errno.E2BIG || first.errno() == Errno.EINVAL) && count > limit) {
            return new VerifierException(spec.name(), p.name(), first.errno().name(),
                    VerifierLog.refusedSize(count, limit), insns, slot -> sourceLine(p, slot));
        }
        VerifierLog.Program program = new VerifierLog.Program(p.type(), slot -> sourceLine(p, slot),
                slot -> poisonCause(insns, slot, core));
        if (limitFromStatistics && logLevel == 0 && known != null && first.errno() == Errno.E2BIG) {
            return new VerifierException(spec.name(), p.name(), first.errno().name(),
                    VerifierLog.parse(VerifierLog.statisticsOnly(known.log()), false, program), insns,
                    slot -> sourceLine(p, slot));
        }
        int size = known != null && known.keepsEnd() ? FAILURE_LOG_SIZE : Math.min(logSize, FAILURE_LOG_SIZE);
        int level = Math.max(1, logLevel) | BpfConstants.BPF_LOG_STATS;
        while (true) {
            ProgLoadAttr attr = programAttr(p, insns, fdArray).logLevel(level).logSize(size);
            try {
                Fd fd = Bpf.progLoad(attr);
                fd.close();
                return new BpfException("program '" + p.name() + "': " + first.getMessage()
                        + " (it loaded when asked for a verifier log)", first);
            } catch (BpfSyscallException e) {
                boolean full = e.errno() == Errno.ENOSPC;
                boolean keepsTail = attr.logTrueSize() > 0;
                int bufferLimit = keepsTail ? FAILURE_LOG_SIZE : HEAD_LOG_SIZE;
                // E2BIG: the verifier gave up at its limit of processed instructions, so a log that keeps its
                // start is tens of MB whatever the buffer: the start at hand is enough, only the end is missing
                boolean atLimit = !keepsTail && first.errno() == Errno.E2BIG;
                if (full && size < bufferLimit && !atLimit) {
                    size = Math.min(bufferLimit, grownLogSize(size, attr.logTrueSize()));
                    continue;
                }
                String text = full && !keepsTail ? VerifierLog.joinHeadAndEnd(attr.log(),
                        known != null ? known.log() : logEnd(p, insns, fdArray)) : attr.log();
                VerifierLog log = VerifierLog.parse(text, full, program);
                Errno errno = full ? first.errno() : e.errno();
                return new VerifierException(spec.name(), p.name(), errno.name(), log, insns,
                        slot -> sourceLine(p, slot));
            } finally {
                attr.close();
            }
        }
    }

    /**
     * The end of a log whose start filled the buffer on a kernel that keeps the start (before 6.4): the program
     * loaded once more with statistics only, which logs the error lines and the statistics but no trace.
     */
    private String logEnd(ProgramSpec p, byte[] insns, ExternResolver.FdArray fdArray) {
        return statisticsOnly(p, insns, fdArray).log();
    }

    /**
     * A load with statistics only: the error when the kernel refused the program, the log, and whether the kernel
     * keeps a full log's end (it said the log's true size: 6.4+).
     */
    private record StatisticsOnly(Optional<BpfSyscallException> error, String log, boolean keepsEnd) {
        /** What the statistics-only load {@code attr} was given back, with its error (empty when none counts). */
        static StatisticsOnly of(ProgLoadAttr attr, Optional<BpfSyscallException> error) {
            return new StatisticsOnly(error, attr.log(), attr.logTrueSize() > 0);
        }
    }

    /** {@code p}'s load attr with a log of statistics only, in a buffer of {@link #END_LOG_SIZE}. */
    private ProgLoadAttr statisticsAttr(ProgramSpec p, byte[] insns, ExternResolver.FdArray fdArray) {
        return programAttr(p, insns, fdArray).logLevel(BpfConstants.BPF_LOG_STATS).logSize(END_LOG_SIZE);
    }

    /**
     * Loads the program once more with a log of statistics only ({@link BpfConstants#BPF_LOG_STATS}): the
     * verifier then logs its error lines and statistics but no trace, so the log stays small whatever the
     * program. A program that loads is closed at once.
     */
    private StatisticsOnly statisticsOnly(ProgramSpec p, byte[] insns, ExternResolver.FdArray fdArray) {
        ProgLoadAttr attr = statisticsAttr(p, insns, fdArray);
        try {
            Bpf.progLoad(attr).close();
            return StatisticsOnly.of(attr, Optional.empty());
        } catch (BpfSyscallException e) {
            return StatisticsOnly.of(attr, e.errno() == Errno.ENOSPC ? Optional.empty() : Optional.of(e));
        } finally {
            attr.close();
        }
    }

    /** What a poisoned instruction at {@code slot} stands for: a failed CO-RE relocation or a missing kfunc. */
    private Optional<VerifierLog.Poison> poisonCause(byte[] insns, int slot, CoreResult core) {
        Optional<String> relo = core.poisonedAt(slot).map(CoreFixup::describe);
        if (relo.isPresent()) {
            return relo.map(d -> new VerifierLog.Poison(VerifierCause.CORE_RELOCATION, d));
        }
        ExternResolver externs = existingExterns.get();
        if (externs == null || slot < 0 || slot >= insns.length / 8) {
            return Optional.empty();
        }
        Instruction insn = Instruction.decode(insns, slot);
        return insn.isHelperCall() ? externs.poisonedKfunc(insn.imm())
                .map(d -> new VerifierLog.Poison(VerifierCause.UNKNOWN_KFUNC, d)) : Optional.empty();
    }

    private Optional<String> sourceLine(ProgramSpec p, int slot) {
        return p.lineOf(slot).map(ProgramLoading::sourceText);
    }

    /** Renders a line-info record as {@code file:line: text}. */
    static String sourceText(LineInfo li) {
        String file = li.fileName();
        int slash = file.lastIndexOf('/');
        if (slash >= 0) {
            file = file.substring(slash + 1);
        }
        return file + ":" + li.line() + ": " + li.lineText().strip();
    }

    /** The next verifier log size: what the kernel said it needs (6.4+), else four times more, at most the limit. */
    static int grownLogSize(int size, int trueSize) {
        return (int) Math.min(ProgLoadAttr.MAX_LOG_SIZE, Math.max((long) size * 4, trueSize + 1L));
    }
}
