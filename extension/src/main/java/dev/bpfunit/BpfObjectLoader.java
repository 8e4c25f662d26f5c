package dev.bpfunit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.asm.Opcodes;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfExt;
import dev.bpfunit.btf.CoreFixup;
import dev.bpfunit.btf.CoreRelocator;
import dev.bpfunit.btf.CoreResult;
import dev.bpfunit.btf.Func;
import dev.bpfunit.btf.LineInfo;
import dev.bpfunit.btf.Typedef;
import dev.bpfunit.elf.ObjectReader;
import dev.bpfunit.instrument.DeterministicValues;
import dev.bpfunit.instrument.Instrumenter;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapMemory;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.Reference;
import dev.bpfunit.spec.SectionDefs;
import dev.bpfunit.spec.VariableSpec;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfConstants;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.BtfLoadAttr;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.MapCreateAttr;
import dev.bpfunit.sys.ProgLoadAttr;
import dev.bpfunit.sys.SystemInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads an ELF object into the kernel with options: global variables set before load, map sizes, program
 * types for sections whose name does not say, programs to skip and the verifier log level.
 *
 * <pre>{@code
 * BpfObject obj = BpfObject.loader(path)
 *     .global("blocked_port", (short) 53)
 *     .maxEntries("rx_cnt", 64)
 *     .programType("xdp_icmp_echo", ProgramType.XDP)
 *     .logLevel(2)
 *     .load();
 * }</pre>
 */
public final class BpfObjectLoader {

    /** The first verifier log buffer; it grows until the whole log fits. */
    static final int INITIAL_LOG_SIZE = 256 * 1024;
    /**
     * The log buffer for diagnosing a rejection on kernels that keep the log's end when it is full (6.4+): the
     * error is at the end, and an unbounded loop's log would otherwise take 100 MB and more.
     */
    static final int FAILURE_LOG_SIZE = 8 * 1024 * 1024;
    /**
     * The most of a log's start asked for when diagnosing a rejection on kernels that keep the start of a full log
     * (before 6.4): each larger buffer means verifying the program once more. The end (the error and the
     * statistics) of a longer log comes from one more load with statistics only ({@link BpfConstants#BPF_LOG_STATS}),
     * which prints no trace. A program the verifier gave up on at its instruction limit (E2BIG: an unbounded loop, a
     * complexity limit, whose whole log is 100 MB and more there) keeps the first buffer's start without growing it.
     */
    static final int HEAD_LOG_SIZE = 2 * 1024 * 1024;
    /** The buffer for the statistics-only load: the error lines and the statistics. */
    static final int END_LOG_SIZE = 64 * 1024;

    private final Path path;
    private final byte[] bytes;
    private final String name;
    private final Map<String, Object> globals = new LinkedHashMap<>();
    private final Map<String, Integer> maxEntries = new LinkedHashMap<>();
    private final Map<String, ProgramType> programTypes = new LinkedHashMap<>();
    private final Set<String> skipped = new HashSet<>();
    private int logLevel;
    private int logSize = INITIAL_LOG_SIZE;
    private Path targetBtf;
    private ObjectSpec parsed;
    /**
     * Test hook: told of each kernel object a load on this thread opens, before the next step. Per thread, so
     * that a test setting it does not reach the loads of tests running in parallel.
     */
    static final ThreadLocal<java.util.function.Consumer<AutoCloseable>> OPENED_HOOK = new ThreadLocal<>();
    private boolean coverage = CoverageRecorder.global().enabled();
    private TestClock clock;
    private Long randomSeed;
    private long mapMemoryLimit;

    BpfObjectLoader(Path path, byte[] bytes, String name) {
        this.path = path;
        this.bytes = bytes;
        this.name = name;
    }

    /**
     * Sets a global variable in {@code .data}, {@code .rodata} or {@code .bss} before load, encoded by its BTF
     * type as {@link VariableSpec#encode} does for every setter: a number of any width that fits
     * ({@code global("blocked_port", 53)}), an enumerator name ({@code global("mode", "FAST")}), a String for a
     * char array, a Map or record for a struct, or a {@code byte[]} of the variable's size.
     */
    public BpfObjectLoader global(String variable, Object value) {
        globals.put(variable, value);
        return this;
    }

    /** Sets a map's {@code max_entries}, for a definition without one or to override it. */
    public BpfObjectLoader maxEntries(String map, int entries) {
        if (entries <= 0) {
            throw new IllegalArgumentException("max_entries of map '" + map + "' must be positive, was " + entries);
        }
        maxEntries.put(map, entries);
        return this;
    }

    /**
     * Sets the largest kernel memory one map may take, as estimated before it is created (entries x (key +
     * value), per possible CPU for per-CPU maps); a larger map fails the load with a {@link BpfException}.
     * Default: the system property {@value MapMemory#LIMIT_PROPERTY} (or the JUnit configuration parameter of
     * that name), else a quarter of the machine's RAM, at most 1 GiB.
     */
    public BpfObjectLoader mapMemoryLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the map memory limit must be positive, was " + bytes);
        }
        this.mapMemoryLimit = bytes;
        return this;
    }

    /** The limit {@link #mapMemoryLimit(long)} sets, or its default, and how to raise it (for messages). */
    private long mapMemoryLimit() {
        if (mapMemoryLimit > 0) {
            return mapMemoryLimit;
        }
        String property = System.getProperty(MapMemory.LIMIT_PROPERTY);
        if (property != null && !property.isBlank()) {
            try {
                return MapMemory.parseSize(property);
            } catch (IllegalArgumentException e) {
                throw new BpfException("system property " + MapMemory.LIMIT_PROPERTY + ": " + e.getMessage(), e);
            }
        }
        return MapMemory.defaultLimit(SystemInfo.totalMemory());
    }

    /** Gives a program's type where its section name does not say (for example {@code SEC("xdp_icmp_echo")}). */
    public BpfObjectLoader programType(String program, ProgramType type) {
        programTypes.put(program, type);
        return this;
    }

    /** Does not load this program (its maps are still created). */
    public BpfObjectLoader skipProgram(String program) {
        skipped.add(program);
        return this;
    }

    /**
     * Loads every program with this verifier log level (1: the log, 2: with per-instruction state and
     * statistics). With 0, the default, the log is only requested when the verifier rejects a program.
     */
    public BpfObjectLoader logLevel(int level) {
        if (level < 0 || level > 2) {
            throw new IllegalArgumentException("log level must be 0, 1 or 2, was " + level);
        }
        this.logLevel = level;
        return this;
    }

    /**
     * Sets the size of the first verifier log buffer (128 bytes to 1 GiB - 1, the kernel's limits; default
     * 256 KiB). The buffer grows until the whole log fits, so this only matters for memory use with very large logs.
     *
     * @throws IllegalArgumentException if the size is outside the kernel's limits
     */
    public BpfObjectLoader logSize(int bytes) {
        if (bytes < ProgLoadAttr.MIN_LOG_SIZE || bytes > ProgLoadAttr.MAX_LOG_SIZE) {
            throw new IllegalArgumentException("the verifier log buffer must be " + ProgLoadAttr.MIN_LOG_SIZE
                    + " to " + ProgLoadAttr.MAX_LOG_SIZE + " bytes (the kernel's limits for log_size), was " + bytes);
        }
        this.logSize = bytes;
        return this;
    }

    /**
     * Relocates CO-RE accesses, resolves {@code __ksym}s and kfuncs, and finds attach targets in this BTF file
     * (another kernel's {@code vmlinux} BTF, raw or as an ELF file with a {@code .BTF} section) instead of the
     * running kernel's ({@code /sys/kernel/btf/vmlinux} and module BTF). Relocation happens in bpfunit, so a test
     * can check how an object relocates for another kernel; loading it still needs the running kernel to accept it.
     */
    public BpfObjectLoader targetBtf(Path btfFile) {
        this.targetBtf = java.util.Objects.requireNonNull(btfFile, "btfFile");
        return this;
    }

    /**
     * Instruments every program with basic-block counters (see {@link Instrumenter}), so that
     * {@link BpfObject#coverage()} and the reports of {@link CoverageRecorder} say which source lines and branches
     * ran. Default: the system property {@value CoverageRecorder#COVERAGE}, or on when the JUnit extension was
     * told so. The programs behave the same; the verifier processes a few more instructions per block.
     */
    public BpfObjectLoader coverage(boolean on) {
        this.coverage = on;
        return this;
    }

    /**
     * Replaces calls of {@code bpf_ktime_get_ns}, {@code bpf_ktime_get_boot_ns}, {@code bpf_ktime_get_coarse_ns},
     * {@code bpf_jiffies64} and {@code bpf_get_smp_processor_id} by reads of this clock, which the test sets and
     * advances; also makes {@code bpf_get_prandom_u32} deterministic (seed 0 unless {@link #randomSeed} is given).
     */
    public BpfObjectLoader clock(TestClock testClock) {
        this.clock = java.util.Objects.requireNonNull(testClock, "testClock");
        return this;
    }

    /**
     * Makes {@code bpf_get_prandom_u32} return the sequence of {@link DeterministicValues} from this seed (and the
     * time helpers a fixed clock at 0, unless {@link #clock} is given).
     */
    public BpfObjectLoader randomSeed(long seed) {
        this.randomSeed = seed;
        return this;
    }

    /**
     * Parses and links the object without loading it, with this loader's overrides applied. The file is parsed
     * once per loader: later calls, and {@link #load()}, reuse the parse.
     */
    public ObjectSpec spec() {
        return applyOverrides(parsed());
    }

    private synchronized ObjectSpec parsed() {
        if (parsed == null) {
            parsed = path != null ? ObjectReader.read(path) : ObjectReader.read(bytes, name);
        }
        return parsed;
    }

    /** Loads the object: BTF, maps (filled and frozen), programs, then static prog-array and map-in-map values. */
    public BpfObject load() {
        boolean deterministic = clock != null || randomSeed != null;
        Instrumenter.Result instrumented = Instrumenter.instrument(spec(),
                new Instrumenter.Options(coverage, deterministic));
        ObjectSpec spec = instrumented.spec();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            BpfObject obj = new Loading(spec, opened).run();
            if (deterministic) {
                BpfMap values = obj.map(Instrumenter.DETERMINISTIC_MAP);
                values.update(new byte[4], DeterministicValues.encode(0, 0, 0, 0, 0,
                        randomSeed == null ? 0 : randomSeed));
                (clock != null ? clock : new TestClock(java.time.Duration.ZERO, 250)).attach(values);
            }
            instrumented.coverage().ifPresent(layout -> {
                layout.notes().forEach(n -> System.err.println("bpfunit coverage: " + spec.name() + ": " + n));
                obj.instrumentedForCoverage(layout);
            });
            return obj;
        } catch (Throwable failure) {
            // every Throwable: an OutOfMemoryError copying a log must not leave the BTF, maps and programs open
            Closeables.closeAllAfter(failure, reversed(opened));
            if (failure instanceof VerifierException ve && coverage && loadsWithout(ve.program())) {
                throw new BpfException("object " + spec.name() + ": program '" + ve.program() + "' cannot be "
                        + "instrumented for coverage: it loads without the counters, but the verifier refused it "
                        + "with them (" + ve.getMessage().strip() + "); load it with coverage(false)", failure);
            }
            throw ObjectLoadException.inObject(spec.name(), failure);
        }
    }

    /** Whether the object loads without coverage counters (to tell what made the verifier refuse a program). */
    private boolean loadsWithout(String program) {
        boolean deterministic = clock != null || randomSeed != null;
        ObjectSpec plain = Instrumenter.instrument(spec(), new Instrumenter.Options(false, deterministic)).spec();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            new Loading(plain, opened).run();
            return true;
        } catch (RuntimeException e) {
            return false;
        } finally {
            try {
                Closeables.closeAll(reversed(opened));
            } catch (RuntimeException ignored) {
                // what could not be closed was never handed out; the Fd cleaner is the backstop
            }
        }
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> r = new ArrayList<>(list);
        java.util.Collections.reverse(r);
        return r;
    }

    // ---- overrides ----

    private ObjectSpec applyOverrides(ObjectSpec spec) {
        for (String p : skipped) {
            spec.program(p);
        }
        List<ProgramSpec> programs = new ArrayList<>();
        for (ProgramSpec p : spec.programs()) {
            ProgramType t = programTypes.get(p.name());
            programs.add(t == null ? p : p.withType(t, AttachType.NONE));
        }
        for (String p : programTypes.keySet()) {
            spec.program(p);
        }
        Map<String, MapSpec> maps = new LinkedHashMap<>();
        spec.maps().forEach(m -> maps.put(m.name(), m));
        for (Map.Entry<String, Integer> e : maxEntries.entrySet()) {
            MapSpec m = spec.map(e.getKey());
            maps.put(m.name(), m.withMaxEntries(e.getValue()));
        }
        for (Map.Entry<String, Object> e : globals.entrySet()) {
            VariableSpec v = spec.findVariable(e.getKey()).orElseThrow(() -> new BpfException("no global variable '"
                    + e.getKey() + "' in " + spec.name() + "; variables: " + BpfObject.listOf(spec.variables()
                    .stream().map(VariableSpec::name).toList())));
            byte[] value = v.encode(spec.btf(), e.getValue());
            MapSpec m = maps.get(v.map());
            byte[] contents = m.contents();
            System.arraycopy(value, 0, contents, v.offset(), value.length);
            maps.put(m.name(), m.withContents(contents));
        }
        return new ObjectSpec(spec.name(), spec.objectName(), programs, List.copyOf(maps.values()), spec.variables(),
                spec.btf(), spec.license(), spec.kernelVersion());
    }

    // ---- loading ----

    /** One load: what it created so far, so that a failure closes all of it. */
    private final class Loading {
        private final ObjectSpec spec;
        private final List<AutoCloseable> opened;
        private final Map<String, BpfMap> maps = new LinkedHashMap<>();
        private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
        private Fd btfFd;
        private KernelTarget target;
        private ExternResolver externs;

        Loading(ObjectSpec spec, List<AutoCloseable> opened) {
            this.spec = spec;
            this.opened = opened;
        }

        BpfObject run() {
            if (spec.btf() != null) {
                btfFd = loadBtf(spec.btf());
                opened(btfFd);
            }
            for (MapSpec m : spec.maps()) {
                if (m.kind() == MapKind.KCONFIG) {
                    m = m.withContents(externs().kconfig(m));
                }
                BpfMap map = MapCreation.create(m, btfFd, spec.btf(), mapMemoryLimit());
                opened(map);
                maps.put(m.name(), map);
            }
            for (ProgramSpec p : spec.programs()) {
                if (skipped.contains(p.name())) {
                    continue;
                }
                BpfProgram prog = loadProgram(p);
                opened(prog);
                programs.put(p.name(), prog);
            }
            for (MapSpec m : spec.maps()) {
                MapCreation.fillStaticValues(m, maps, programs, skipped);
            }
            return new BpfObject(spec, btfFd, maps, programs);
        }

        private void opened(AutoCloseable resource) {
            opened.add(resource);
            java.util.function.Consumer<AutoCloseable> hook = OPENED_HOOK.get();
            if (hook != null) {
                hook.accept(resource);
            }
        }

        /** The kernel BTF to relocate against and resolve names in, opened on first use. */
        private KernelTarget target() {
            if (target == null) {
                target = targetBtf != null ? KernelTarget.file(targetBtf) : KernelTarget.runningKernel();
                opened.add(target);
            }
            return target;
        }

        private ExternResolver externs() {
            if (externs == null) {
                externs = new ExternResolver(spec, target());
            }
            return externs;
        }

        private Fd loadBtf(Btf btf) {
            byte[] raw = btf.encode();
            BtfLoadAttr attr = new BtfLoadAttr().btf(raw);
            try {
                return Bpf.btfLoad(attr);
            } catch (BpfSyscallException e) {
                if (e.errno() == Errno.EPERM) {
                    throw e;
                }
                BtfLoadAttr withLog = new BtfLoadAttr().btf(raw).logLevel(1).logSize(INITIAL_LOG_SIZE);
                String log;
                try {
                    Fd fd = Bpf.btfLoad(withLog);
                    fd.close();
                    log = "(it loaded when asked for a log)";
                } catch (BpfSyscallException again) {
                    log = withLog.log();
                }
                throw new BpfException("BPF_BTF_LOAD of " + spec.name() + "'s BTF failed: " + e.getMessage()
                        + "\n" + tail(log, 12), e);
            }
        }

        private BpfProgram loadProgram(ProgramSpec p) {
            if (p.type() == ProgramType.UNSPEC) {
                throw new BpfException("program '" + p.name() + "': section '" + p.section() + "' does not say the "
                        + "program type: give it with BpfObject.loader(path).programType(\"" + p.name()
                        + "\", ProgramType.XDP) (or another type), or skip it with skipProgram(\"" + p.name()
                        + "\")");
            }
            CoreResult core = relocate(p);
            byte[] insns = core.instructions();
            ExternResolver.FdArray fdArray = new ExternResolver.FdArray();
            for (Reference r : p.references()) {
                patch(p, insns, r, fdArray);
            }
            int size = logSize;
            while (true) {
                ProgLoadAttr attr = programAttr(p, insns, fdArray);
                if (logLevel > 0) {
                    attr.logSize(size);
                }
                try {
                    Fd fd = Bpf.progLoad(attr);
                    VerifierLog log = logLevel > 0
                            ? VerifierLog.parse(attr.log(), false,
                            new VerifierLog.Program(p.type(), slot -> sourceLine(p, slot), slot -> Optional.empty())) : null;
                    return new BpfProgram(p, fd, log);
                } catch (BpfSyscallException e) {
                    if (logLevel > 0 && e.errno() == Errno.ENOSPC && size < ProgLoadAttr.MAX_LOG_SIZE) {
                        // the log asked for did not fit (kernels 6.4+ then fail the load): grow it and load again,
                        // unless a kernel that keeps a full log's start (before 6.4) would reject the program
                        // anyway: its log may be 100 MB and more (an unbounded loop), so diagnose it as a rejection
                        if (attr.logTrueSize() == 0 && size >= HEAD_LOG_SIZE) {
                            Optional<BpfSyscallException> rejected = statisticsOnly(p, insns, fdArray).error();
                            if (rejected.isPresent()) {
                                throw verifierFailure(p, insns, fdArray, rejected.get(), core);
                            }
                        }
                        size = grownLogSize(size, attr.logTrueSize());
                        continue;
                    }
                    if (e.errno() == Errno.EPERM || e.errno() == Errno.ENOMEM && logLevel == 0) {
                        throw new BpfException(e.getMessage() + attachNote(p, e), e);
                    }
                    throw verifierFailure(p, insns, fdArray, e, core);
                }
            }
        }

        /** The program's instructions with its CO-RE relocations applied against the target BTF. */
        private CoreResult relocate(ProgramSpec p) {
            if (p.coreRelos().isEmpty()) {
                return new CoreResult(p.instructions(), List.of());
            }
            if (spec.btf() == null) {
                throw new BpfException("program '" + p.name() + "' has CO-RE relocations but the object has no BTF");
            }
            try {
                return new CoreRelocator(spec.btf(), target().vmlinux(), target().lazyModuleBtfs(), target().name())
                        .relocate(p.instructions(), p.coreRelos());
            } catch (BpfException e) {
                throw new BpfException("program '" + p.name() + "': " + e.getMessage(), e);
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

        private void patch(ProgramSpec p, byte[] insns, Reference r, ExternResolver.FdArray fdArray) {
            if (r instanceof Reference.MapFd ref) {
                setLdImm64(insns, ref.slot(), Opcodes.BPF_PSEUDO_MAP_FD, mapFd(p, ref.map()), 0);
            } else if (r instanceof Reference.MapValue ref) {
                setLdImm64(insns, ref.slot(), Opcodes.BPF_PSEUDO_MAP_VALUE, mapFd(p, ref.map()), ref.offset());
            } else if (r instanceof Reference.Extern ref) {
                Optional<VariableSpec> kconfig = externs().kconfigVariable(ref.symbol());
                if (kconfig.isPresent() && !ref.call()) {
                    int offset = kconfig.get().offset() + Instruction.decode(insns, ref.slot()).imm();
                    setLdImm64(insns, ref.slot(), Opcodes.BPF_PSEUDO_MAP_VALUE, mapFd(p, kconfig.get().map()),
                            offset);
                } else {
                    externs().patch(p, insns, ref, fdArray);
                }
            }
        }

        private int mapFd(ProgramSpec p, String map) {
            BpfMap m = maps.get(map);
            if (m == null) {
                throw new BpfException("program '" + p.name() + "' refers to map '" + map + "', which the object "
                        + "does not define");
            }
            return m.fd().raw();
        }

        private void setLdImm64(byte[] insns, int slot, int src, int imm, int next) {
            Instruction first = Instruction.decode(insns, slot);
            first.withSrc(src).withImm(imm).encodeInto(insns, slot);
            Instruction.decode(insns, slot + 1).withImm(next).encodeInto(insns, slot + 1);
        }

        /**
         * Turns a failed load into a diagnosis: a size the kernel refuses before verifying is said as such;
         * otherwise the program is loaded again with a log (level 1 and statistics, or the level asked for). On
         * kernels that keep the log's end when the buffer is full (6.4+) the buffer stays bounded, since the error
         * is at the end; older kernels keep the start, so there the buffer grows to {@link #HEAD_LOG_SIZE} and, when
         * the log is longer still, its end is taken from one more load with statistics only.
         */
        private RuntimeException verifierFailure(ProgramSpec p, byte[] insns, ExternResolver.FdArray fdArray,
                                                 BpfSyscallException first, CoreResult core) {
            int count = insns.length / 8;
            int limit = SystemInfo.hasCapBpf() ? BpfConstants.BPF_COMPLEXITY_LIMIT_INSNS : BpfConstants.BPF_MAXINSNS;
            if ((first.errno() == Errno.E2BIG || first.errno() == Errno.EINVAL) && count > limit) {
                return new VerifierException(spec.name(), p.name(), first.errno().name(),
                        VerifierLog.refusedSize(count, limit), insns, slot -> sourceLine(p, slot));
            }
            int size = Math.min(logSize, FAILURE_LOG_SIZE);
            int level = Math.max(1, logLevel) | BpfConstants.BPF_LOG_STATS;
            VerifierLog.Program program = new VerifierLog.Program(p.type(), slot -> sourceLine(p, slot),
                    slot -> poisonCause(insns, slot, core));
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
                            logEnd(p, insns, fdArray)) : attr.log();
                    VerifierLog log = VerifierLog.parse(text, full, program);
                    Errno errno = full ? first.errno() : e.errno();
                    return new VerifierException(spec.name(), p.name(), errno.name(), log, insns,
                            slot -> sourceLine(p, slot));
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

        /** A load with statistics only: the error when the kernel refused the program, and the log. */
        private record StatisticsOnly(Optional<BpfSyscallException> error, String log) {
        }

        /**
         * Loads the program once more with a log of statistics only ({@link BpfConstants#BPF_LOG_STATS}): the
         * verifier then logs its error lines and statistics but no trace, so the log stays small whatever the
         * program. A program that loads is closed at once.
         */
        private StatisticsOnly statisticsOnly(ProgramSpec p, byte[] insns, ExternResolver.FdArray fdArray) {
            ProgLoadAttr attr = programAttr(p, insns, fdArray).logLevel(BpfConstants.BPF_LOG_STATS)
                    .logSize(END_LOG_SIZE);
            try {
                Bpf.progLoad(attr).close();
                return new StatisticsOnly(Optional.empty(), attr.log());
            } catch (BpfSyscallException e) {
                return new StatisticsOnly(e.errno() == Errno.ENOSPC ? Optional.empty() : Optional.of(e), attr.log());
            }
        }

        /** What a poisoned instruction at {@code slot} stands for: a failed CO-RE relocation or a missing kfunc. */
        private Optional<VerifierLog.Poison> poisonCause(byte[] insns, int slot, CoreResult core) {
            Optional<String> relo = core.poisonedAt(slot).map(CoreFixup::describe);
            if (relo.isPresent()) {
                return relo.map(d -> new VerifierLog.Poison(VerifierCause.CORE_RELOCATION, d));
            }
            if (externs == null || slot < 0 || slot >= insns.length / 8) {
                return Optional.empty();
            }
            Instruction insn = Instruction.decode(insns, slot);
            return insn.isHelperCall() ? externs.poisonedKfunc(insn.imm())
                    .map(d -> new VerifierLog.Poison(VerifierCause.UNKNOWN_KFUNC, d)) : Optional.empty();
        }

        private Optional<String> sourceLine(ProgramSpec p, int slot) {
            return p.lineOf(slot).map(BpfObjectLoader::sourceText);
        }

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

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
