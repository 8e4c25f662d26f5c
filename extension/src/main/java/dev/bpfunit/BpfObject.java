package dev.bpfunit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.instrument.CoverageData;
import dev.bpfunit.instrument.CoverageLayout;
import dev.bpfunit.instrument.Instrumenter;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.sys.Fd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A BPF ELF object loaded into the kernel: its programs, maps and BTF, all closed together.
 *
 * <pre>{@code
 * try (BpfObject obj = BpfObject.load(Path.of("xdp_fw.bpf.o"))) {
 *     BpfProgram fw = obj.program("xdp_fw");
 *     BpfMap blocklist = obj.map("blocklist");
 * }
 * }</pre>
 */
public final class BpfObject implements AutoCloseable {

    private final ObjectSpec spec;
    private final Fd btf;
    private final Map<String, BpfMap> maps;
    private final Map<String, BpfProgram> programs;
    private final List<Link> links = new ArrayList<>();
    private Globals globals;
    private boolean closed;
    private CoverageLayout coverageLayout;
    private final CoverageData coverage = new CoverageData();

    BpfObject(ObjectSpec spec, Fd btf, Map<String, BpfMap> maps, Map<String, BpfProgram> programs) {
        this.spec = spec;
        this.btf = btf;
        this.maps = Collections.unmodifiableMap(maps);
        this.programs = Collections.unmodifiableMap(programs);
        programs.values().forEach(p -> p.owner(this));
    }

    /** Records the coverage layout of an object loaded with coverage, and registers it with the recorder. */
    void instrumentedForCoverage(CoverageLayout layout) {
        this.coverageLayout = layout;
        CoverageRecorder.global().register(this);
    }

    /** The layout of the coverage counters, when the object was loaded with coverage. */
    public Optional<CoverageLayout> coverageLayout() {
        return Optional.ofNullable(coverageLayout);
    }

    /**
     * The coverage of this object's programs since it was loaded (loaded with {@link BpfObjectLoader#coverage}):
     * lines and branches per source file.
     *
     * @throws BpfException if the object was loaded without coverage
     */
    public CoverageData coverage() {
        if (coverageLayout == null) {
            throw new BpfException("object " + spec.name() + " was loaded without coverage: load it with "
                    + "BpfObject.loader(path).coverage(true), or set -D" + CoverageRecorder.COVERAGE + "=true");
        }
        CoverageRecorder.global().data().addAll(drainCoverage(null));
        CoverageData copy = new CoverageData();
        copy.addAll(coverage);
        return copy;
    }

    /** Reads the counters, resets them to zero, adds them to this object's total and returns them. */
    synchronized CoverageData drainCoverage(String test) {
        CoverageData delta = new CoverageData();
        if (coverageLayout == null || closed) {
            return delta;
        }
        BpfMap map = maps.get(Instrumenter.COVERAGE_MAP);
        long[] counts = CoverageRecorder.counters(map, coverageLayout.counters());
        map.update(new byte[4], new byte[8 * Math.max(1, coverageLayout.counters())]);
        delta.add(coverageLayout, counts, test);
        coverage.addAll(delta);
        return delta;
    }

    /** Loads every program and map of the object at {@code path} with the default options. */
    public static BpfObject load(Path path) {
        return loader(path).load();
    }

    /** A loader for the object at {@code path}, to set globals, map sizes, program types and the log level. */
    public static BpfObjectLoader loader(Path path) {
        return new BpfObjectLoader(path, null, null);
    }

    /** A loader for an object already in memory (a classpath resource, say); {@code name} is used in messages. */
    public static BpfObjectLoader loader(byte[] elf, String name) {
        return new BpfObjectLoader(null, elf.clone(), name);
    }

    /**
     * A loader for an object parsed earlier ({@link BpfObjectLoader#spec()} or {@code ObjectReader}), so that
     * loading the same object many times parses it once: each {@link BpfObjectLoader#load()} creates fresh maps and
     * programs from the immutable spec.
     */
    public static BpfObjectLoader loader(ObjectSpec parsed) {
        return new BpfObjectLoader(java.util.Objects.requireNonNull(parsed, "parsed"));
    }

    /** The object's file name. */
    public String name() {
        return spec.name();
    }

    /** The parsed, linked definition the object was loaded from. */
    public ObjectSpec spec() {
        return spec;
    }

    /** The program with this name; a wrong name lists the loaded programs. */
    public BpfProgram program(String name) {
        BpfProgram p = programs.get(name);
        if (p == null) {
            String hint = spec.findProgram(name).map(ps -> ps.autoload() ? " (it was not loaded: skipped by the loader)"
                    : " (it was not loaded: its section '" + ps.section() + "' starts with '?', so it loads only "
                    + "when asked for with BpfObject.loader(path).autoload(\"" + name + "\"))").orElse("");
            throw new BpfException("no program '" + name + "' in " + spec.name() + hint + "; programs: "
                    + listOf(programs.keySet()));
        }
        return p;
    }

    /** The loaded programs, in the object's order. */
    public Collection<BpfProgram> programs() {
        return programs.values();
    }

    /** The map with this name; a wrong name lists the maps. */
    public BpfMap map(String name) {
        BpfMap m = maps.get(name);
        if (m == null) {
            throw new BpfException("no map '" + name + "' in " + spec.name() + "; maps: "
                    + listOf(maps().stream().map(BpfMap::name).toList()));
        }
        return m;
    }

    /** The maps, global data maps included, in the object's order. */
    public Collection<BpfMap> maps() {
        if (maps.values().stream().noneMatch(m -> m.spec().kind() == MapKind.INSTRUMENTATION)) {
            return maps.values();
        }
        // bpfunit's own maps (coverage counters, deterministic helpers) are reachable by name only
        return maps.values().stream().filter(m -> m.spec().kind() != MapKind.INSTRUMENTATION).toList();
    }

    /** The object's global variables, by name (mappings of the data sections are made on first use). */
    public synchronized Globals globals() {
        if (closed) {
            throw new BpfException(spec.name() + " is closed");
        }
        if (globals == null) {
            globals = new Globals(this);
        }
        return globals;
    }

    /** The reader of the {@code RINGBUF} map with this name ({@code obj.ringBuffer("events").readAll()}). */
    public RingBuffer ringBuffer(String mapName) {
        return map(mapName).ringBuffer();
    }

    /** The reader of the {@code PERF_EVENT_ARRAY} map with this name. */
    public PerfReader perfReader(String mapName) {
        return map(mapName).perfReader();
    }

    /** The file descriptor of the object's BTF in the kernel, if it has BTF. */
    Optional<Fd> btfFd() {
        return Optional.ofNullable(btf);
    }

    /** The links of this object's programs that are still attached, oldest first. */
    public synchronized List<Link> links() {
        return List.copyOf(links);
    }

    /**
     * Attaches every program whose section names its target ({@link BpfProgram#attach()}), in the object's order,
     * and returns the links; programs whose section names none (network hooks, perf events, a bare
     * {@code SEC("uprobe")}) are left for explicit calls. On a failure the links made so far are closed.
     */
    public List<Link> attachAll() {
        List<Link> made = new ArrayList<>();
        try {
            for (BpfProgram p : programs.values()) {
                Attacher.auto(p).ifPresent(made::add);
            }
        } catch (RuntimeException e) {
            Collections.reverse(made);
            try {
                Closeables.closeAll(made);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return List.copyOf(made);
    }

    synchronized void register(Link link) {
        if (closed) {
            link.close();
            throw new BpfException(spec.name() + " is closed: cannot attach " + link.program().name());
        }
        links.add(link);
    }

    synchronized void unregister(Link link) {
        links.remove(link);
    }

    /**
     * Detaches the links, then closes event readers and global variable mappings, then programs, then maps, then
     * BTF; safe to call more than once.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (coverageLayout != null) {
            try {
                CoverageRecorder.global().closing(this);
            } catch (RuntimeException e) {
                System.err.println("bpfunit: could not read the coverage of " + spec.name() + " before closing it: "
                        + e.getMessage());
            }
        }
        closed = true;
        List<AutoCloseable> all = new ArrayList<>(links);
        Collections.reverse(all);      // the newest link first
        for (BpfMap m : maps.values()) {
            all.add(m::closeReaders);
        }
        if (globals != null) {
            all.add(globals);
        }
        all.addAll(programs.values());
        all.addAll(maps.values());
        if (btf != null) {
            all.add(btf);
        }
        Closeables.closeAll(all);
    }

    static String listOf(Collection<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }

    @Override
    public String toString() {
        return "BpfObject[" + spec.name() + ": programs " + listOf(programs.keySet()) + "; maps "
                + listOf(maps.keySet()) + "]";
    }
}
