package dev.bpfunit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.elf.ObjectReader;
import dev.bpfunit.instrument.DeterministicValues;
import dev.bpfunit.instrument.Instrumenter;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapMemory;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.VariableSpec;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.BtfLoadAttr;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.ProgLoadAttr;
import dev.bpfunit.sys.SystemInfo;

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

    private final Path path;
    private final byte[] bytes;
    private final String name;
    private final Map<String, Object> globals = new LinkedHashMap<>();
    private final Map<String, Integer> maxEntries = new LinkedHashMap<>();
    private final Map<String, ProgramType> programTypes = new LinkedHashMap<>();
    private final Set<String> skipped = new HashSet<>();
    /** Programs of {@code ?} sections to load all the same. */
    private final Set<String> autoloaded = new HashSet<>();
    private int logLevel;
    private int logSize = INITIAL_LOG_SIZE;
    private Path targetBtf;
    private ObjectSpec parsed;
    /**
     * Test hook: told of each kernel object a load on this thread opens, before the next step. Per thread, so
     * that a test setting it does not reach the loads of tests running in parallel.
     */
    static final ThreadLocal<java.util.function.Consumer<AutoCloseable>> OPENED_HOOK = new ThreadLocal<>();
    /** Test hook: told the name of each object a loader parses (to count parses). */
    static volatile java.util.function.Consumer<String> parsedHook;
    private boolean coverage = CoverageRecorder.global().enabled();
    private TestClock clock;
    private Long randomSeed;
    private final Set<String> noCoverage = new HashSet<>();
    private long mapMemoryLimit;

    BpfObjectLoader(Path path, byte[] bytes, String name) {
        this.path = path;
        this.bytes = bytes;
        this.name = name;
    }

    /** A loader of an object parsed earlier: it is not read or parsed again. */
    BpfObjectLoader(ObjectSpec parsed) {
        this(null, null, parsed.name());
        this.parsed = parsed;
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
     * Loads this program although its section starts with {@code ?} (libbpf's {@code SEC("?xdp")}: a program
     * that is loaded only when asked for, as {@code bpf_program__set_autoload(prog, true)} asks).
     */
    public BpfObjectLoader autoload(String program) {
        autoloaded.add(program);
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
     *
     * @throws ElfFormatException if the file is not a well-formed BPF ELF object
     */
    public ObjectSpec spec() {
        return applyOverrides(parsed());
    }

    private synchronized ObjectSpec parsed() {
        if (parsed == null) {
            try {
                parsed = path != null ? ObjectReader.read(path) : ObjectReader.read(bytes, name);
            } catch (dev.bpfunit.rawelf.ElfFormatException e) {
                throw new ElfFormatException(e);   // the user-facing type, with the reader's message
            }
            java.util.function.Consumer<String> hook = parsedHook;
            if (hook != null) {
                hook.accept(parsed.name());
            }
        }
        return parsed;
    }

    /**
     * Leaves these programs without coverage counters while the object's other programs get them: for a program
     * the verifier accepts as compiled but refuses once instrumented ({@link InstrumentationRefusedException}).
     * The coverage report lists each as not instrumented. A name that is not a program fails the load, listing
     * the programs.
     */
    public BpfObjectLoader noCoverage(String... programs) {
        for (String p : programs) {
            noCoverage.add(java.util.Objects.requireNonNull(p, "program"));
        }
        return this;
    }

    /** Loads the object: BTF, maps (filled and frozen), programs, then static prog-array and map-in-map values. */
    public BpfObject load() {
        boolean deterministic = clock != null || randomSeed != null;
        Instrumenter.Result instrumented = Instrumenter.instrument(spec(),
                new Instrumenter.Options(coverage, deterministic, noCoverage));
        ObjectSpec spec = instrumented.spec();
        boolean rewritten = coverage || deterministic;
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            BpfObject obj = new Loading(spec, opened, rewritten).run();
            if (deterministic) {
                BpfMap values = obj.map(Instrumenter.DETERMINISTIC_MAP);
                values.update(new byte[4], DeterministicValues.encode(0, 0, 0, 0, 0));
                (clock != null ? clock : new TestClock(java.time.Duration.ZERO, 250)).attach(values);
                if (spec.findMap(Instrumenter.RANDOM_MAP).isPresent()) {
                    obj.map(Instrumenter.RANDOM_MAP).update(new byte[4],
                            DeterministicValues.encodeRandom(0, randomSeed == null ? 0 : randomSeed));
                }
            }
            instrumented.coverage().ifPresent(layout -> {
                layout.notes().forEach(n -> System.err.println("bpfunit coverage: " + spec.name() + ": " + n));
                obj.instrumentedForCoverage(layout);
            });
            return obj;
        } catch (Throwable failure) {
            // every Throwable: an OutOfMemoryError copying a log must not leave the BTF, maps and programs open
            Closeables.closeAllAfter(failure, reversed(opened));
            if (failure instanceof VerifierException ve && rewritten) {
                throw refusedInstrumented(ve, spec, deterministic);
            }
            throw ObjectLoadException.inObject(spec.name(), failure);
        }
    }

    /**
     * When the verifier refused an instrumented program: loads the object again without the coverage counters,
     * then without any instrumentation, to tell whether the instrumentation made the difference, and if so which
     * ({@link InstrumentationRefusedException}). When the verifier refuses the object as compiled too, that
     * rejection is the one reported, with its own diagnosis (the instrumented program's, made from its
     * statistics-only load when the verifier gave up at its limit, stands for bpfunit's rewrite, not the user's
     * program).
     */
    private RuntimeException refusedInstrumented(VerifierException ve, ObjectSpec instrumented,
                                                 boolean deterministic) {
        String program = ve.program();
        if (instrumented.programs().stream().noneMatch(p -> p.name().equals(program))) {
            return ObjectLoadException.inObject(instrumented.name(), ve);
        }
        int withAll = instrumented.program(program).instructionCount();
        ObjectSpec plain = spec();
        int plainCount = plain.program(program).instructionCount();
        boolean counted = coverage && !noCoverage.contains(program);
        if (counted && deterministic) {
            ObjectSpec withoutCounters = Instrumenter.instrument(plain, new Instrumenter.Options(false, true)).spec();
            Trial trial = trial(withoutCounters, program, true);
            if (trial.failure() == null) {
                return new InstrumentationRefusedException(instrumented.name(), program,
                        InstrumentationRefusedException.Instrumentation.COVERAGE,
                        withoutCounters.program(program).instructionCount(), withAll, trial.processed(), ve);
            }
            counted = false;        // refused with the deterministic rewrite alone: that is the one to name
        }
        Trial trial = trial(plain, program, false);
        if (trial.failure() instanceof VerifierException refusedAsCompiled) {
            return ObjectLoadException.inObject(plain.name(), refusedAsCompiled);
        }
        if (trial.failure() != null) {
            // the plain object failed for another reason (no memory, a limit of the machine): not a comparison
            ve.addSuppressed(trial.failure());
            return ObjectLoadException.inObject(instrumented.name(), ve);
        }
        return new InstrumentationRefusedException(instrumented.name(), program, counted
                ? InstrumentationRefusedException.Instrumentation.COVERAGE
                : InstrumentationRefusedException.Instrumentation.DETERMINISTIC_HELPERS, plainCount, withAll,
                trial.processed(), ve);
    }

    /**
     * A load of {@code spec} for {@link #refusedInstrumented}, closed again at once.
     *
     * @param processed the instructions the verifier processed for the program, null where the kernel does not say
     *                  or when the load failed
     * @param failure   why the load failed, null when it loaded
     */
    private record Trial(Integer processed, RuntimeException failure) {
    }

    private Trial trial(ObjectSpec spec, String program, boolean rewritten) {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            BpfObject obj = new Loading(spec, opened, rewritten).run();
            int processed = obj.program(program).info().verifiedInsns();
            return new Trial(processed > 0 ? processed : null, null);
        } catch (RuntimeException e) {
            return new Trial(null, e);
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

    /** What a loader option names: a program ({@link #programType}, {@link #skipProgram}), a map, a global. */
    public enum Named {
        /** A program, as {@link #programType} and {@link #skipProgram} name it. */
        PROGRAM("program", "programs"),
        /** A map, as {@link #maxEntries} names it. */
        MAP("map", "maps"),
        /** A global variable, as {@link #global} names it. */
        GLOBAL("global variable", "variables");

        private final String noun;
        private final String plural;

        Named(String noun, String plural) {
            this.noun = noun;
            this.plural = plural;
        }

        private List<String> in(ObjectSpec spec) {
            return switch (this) {
                case PROGRAM -> spec.programs().stream().map(ProgramSpec::name).toList();
                case MAP -> spec.maps().stream().map(MapSpec::name).toList();
                case GLOBAL -> spec.variables().stream().map(VariableSpec::name).toList();
            };
        }
    }

    /**
     * Why an option naming {@code name} would fail this object's load, as {@link #load()} and {@link #spec()} say it
     * ({@code no map 'blocklst' in xdp_fw.bpf.o; maps: blocklist, stats}), or empty if the object has it. Lets a
     * caller with several objects apply an option to those that have the name; the check and its wording live
     * here only.
     *
     * @throws ElfFormatException if the file is not a well-formed BPF ELF object
     */
    public Optional<String> missing(Named kind, String name) {
        return missing(parsed(), kind, name);
    }

    private static Optional<String> missing(ObjectSpec spec, Named kind, String name) {
        List<String> existing = kind.in(spec);
        if (existing.contains(name)) {
            return Optional.empty();
        }
        return Optional.of("no " + kind.noun + " '" + name + "' in " + spec.name() + "; " + kind.plural + ": "
                + BpfObject.listOf(existing));
    }

    private static void require(ObjectSpec spec, Named kind, String name) {
        missing(spec, kind, name).ifPresent(message -> {
            throw new BpfException(message);
        });
    }

    private ObjectSpec applyOverrides(ObjectSpec spec) {
        for (String p : skipped) {
            require(spec, Named.PROGRAM, p);
        }
        for (String p : autoloaded) {
            require(spec, Named.PROGRAM, p);
        }
        List<ProgramSpec> programs = new ArrayList<>();
        for (ProgramSpec p : spec.programs()) {
            ProgramType t = programTypes.get(p.name());
            programs.add(t == null ? p : p.withType(t, AttachType.NONE));
        }
        for (String p : programTypes.keySet()) {
            require(spec, Named.PROGRAM, p);
        }
        Map<String, MapSpec> maps = new LinkedHashMap<>();
        spec.maps().forEach(m -> maps.put(m.name(), m));
        for (Map.Entry<String, Integer> e : maxEntries.entrySet()) {
            require(spec, Named.MAP, e.getKey());
            MapSpec m = spec.map(e.getKey());
            maps.put(m.name(), m.withMaxEntries(e.getValue()));
        }
        for (Map.Entry<String, Object> e : globals.entrySet()) {
            require(spec, Named.GLOBAL, e.getKey());
            VariableSpec v = spec.findVariable(e.getKey()).orElseThrow();
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
        /** Why the kernel refused the object's BTF, when it did (the object is then loaded without it). */
        private BtfRefused btfRefused;
        private KernelTarget target;
        private ExternResolver externs;

        /** Whether the programs are bpfunit's instrumented copies ({@code ProgramLoading}'s limitFromStatistics). */
        private final boolean rewritten;

        Loading(ObjectSpec spec, List<AutoCloseable> opened, boolean rewritten) {
            this.spec = spec;
            this.opened = opened;
            this.rewritten = rewritten;
        }

        BpfObject run() {
            if (spec.btf() != null) {
                try {
                    btfFd = loadBtf(spec.btf());
                    opened(btfFd);
                } catch (BtfRefused e) {
                    // As libbpf (bpf_object__sanitize_and_load_btf): the object's BTF is optional for the kernel;
                    // without it programs load without func/line info and maps without BTF types. Whatever
                    // needed it fails later, and that failure carries this one.
                    btfRefused = e;
                }
            }
            try {
                return createAndLoad();
            } catch (BpfException e) {
                if (btfRefused != null) {
                    e.addSuppressed(btfRefused);
                }
                throw e;
            }
        }

        private BpfObject createAndLoad() {
            Set<String> notLoaded = new HashSet<>();
            for (MapSpec m : spec.maps()) {
                if (m.kind() == MapKind.KCONFIG) {
                    m = m.withContents(externs().kconfig(m));
                }
                BpfMap map = MapCreation.create(m, btfFd, spec.btf(), mapMemoryLimit());
                opened(map);
                maps.put(m.name(), map);
            }
            ProgramLinking linking = new ProgramLinking(spec, maps, this::target, this::externs);
            ProgramLoading loading = new ProgramLoading(spec, btfFd, logLevel, logSize, this::target, () -> externs,
                    rewritten);
            for (ProgramSpec p : spec.programs()) {
                if (skipped.contains(p.name()) || !p.autoload() && !autoloaded.contains(p.name())) {
                    notLoaded.add(p.name());
                    continue;
                }
                BpfProgram prog = loading.load(p, linking);
                opened(prog);
                programs.put(p.name(), prog);
            }
            for (MapSpec m : spec.maps()) {
                MapCreation.fillStaticValues(m, maps, programs, notLoaded);
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
            try (BtfLoadAttr attr = new BtfLoadAttr().btf(raw)) {
                return Bpf.btfLoad(attr);
            } catch (BpfSyscallException e) {
                if (e.errno() == Errno.EPERM) {
                    throw e;
                }
                String log;
                try (BtfLoadAttr withLog = new BtfLoadAttr().btf(raw).logLevel(1).logSize(INITIAL_LOG_SIZE)) {
                    try {
                        Bpf.btfLoad(withLog).close();
                        log = "(it loaded when asked for a log)";
                    } catch (BpfSyscallException again) {
                        log = withLog.log();
                    }
                }
                throw new BtfRefused("BPF_BTF_LOAD of " + spec.name() + "'s BTF failed, so the object was loaded "
                        + "without BTF (no func/line info, maps without BTF types), as libbpf does: "
                        + e.getMessage() + "\n" + tail(log, 12), e);
            }
        }
    }

    /** The kernel refused an object's BTF (not for want of privilege). */
    private static final class BtfRefused extends BpfException {
        private static final long serialVersionUID = 1L;

        BtfRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
