package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.MapInfo;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.sys.Fd;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The loader sweep: every BPF object of a directory (the kernel's selftests, built by
 * {@code samples/sweep/compile-selftests.sh}) is opened and loaded both by libbpf (Debian's bpftool) and by
 * bpfunit, and the outcomes are compared; see {@code samples/sweep/README.md}. Opt-in: runs only when the system
 * property {@value #OBJECTS} names the directory; writes {@code results.tsv} (one row per object), {@code summary.txt}
 * and {@code details/<object>.txt} under {@value #OUT} (default {@code target/sweep}), and fails if bpfunit crashed with something other than a
 * {@link BpfException}, leaked a descriptor, or left a program or map in the kernel.
 */
@EnabledIfSystemProperty(named = SelftestsSweepTest.OBJECTS, matches = ".+")
class SelftestsSweepTest {
    static final String OBJECTS = "bpfunit.sweep.objects";
    /** Only the objects whose file name this regular expression finds (optional): {@code -Dbpfunit.sweep.only=^test_xdp}. */
    static final String ONLY = "bpfunit.sweep.only";
    /** Where the results go (default {@code target/sweep}). */
    static final String OUT = "bpfunit.sweep.out";
    /** A map above this estimate is not created by either loader (the machine is shared). */
    private static final long MAP_LIMIT = 64L << 20;
    /** The maps differ only by libbpf 1.1's BPF_F_MMAPABLE on global data maps without a global variable. */
    private static final String MMAPABLE_ONLY = "mmapable";
    /** libbpf loaded the object but bpftool could not pin its not-autoloaded programs, so nothing is compared. */
    private static final String UNPINNABLE = "loaded, '?' programs unpinnable";

    @Test
    void libbpfAndBpfunitAgree() throws Exception {
        Path dir = Path.of(System.getProperty(OBJECTS));
        String only = System.getProperty(ONLY, "");
        Path out = Path.of(System.getProperty(OUT, "target/sweep"));
        Path details = out.resolve("details");
        Files.createDirectories(details);
        List<Path> objects;
        try (Stream<Path> s = Files.list(dir)) {
            objects = s.filter(p -> p.getFileName().toString().endsWith(".o"))
                    .filter(p -> java.util.regex.Pattern.compile(only).matcher(p.getFileName().toString()).find()).sorted().toList();
        }
        List<String> rows = new ArrayList<>();
        rows.add(String.join("\t", "object", "libbpf_open", "bpfunit_parse", "libbpf_load", "bpfunit_load",
                "compare", "verdict"));
        List<String> failures = new ArrayList<>();
        Map<String, Integer> verdicts = new TreeMap<>();
        for (Path object : objects) {
            Result r = sweep(object);
            rows.add(String.join("\t", r.name, r.libbpfOpen, r.parse, r.libbpfLoad, r.load, r.compare, r.verdict()));
            verdicts.merge(r.verdict(), 1, Integer::sum);
            Files.writeString(details.resolve(r.name + ".txt"), r.detail.toString());
            if (r.hardFailure != null) {
                failures.add(r.name + ": " + r.hardFailure);
            }
            Files.write(out.resolve("results.tsv"), rows);
        }
        List<String> summary = new ArrayList<>();
        summary.add("objects: " + objects.size());
        verdicts.forEach((v, n) -> summary.add(v + ": " + n));
        Files.write(out.resolve("summary.txt"), summary);
        System.out.println(String.join("\n", summary));
        assertThat(failures).as("bpfunit crashes, leaks and programs left in the kernel").isEmpty();
    }

    /** What happened to one object. */
    private static final class Result {
        final String name;
        String libbpfOpen = "-";
        String parse = "-";
        String libbpfLoad = "-";
        String load = "-";
        String compare = "-";
        String hardFailure;
        final StringBuilder detail = new StringBuilder();

        Result(String name) {
            this.name = name;
        }

        String verdict() {
            if (hardFailure != null) {
                return "BPFUNIT_CRASH_OR_LEAK";
            }
            if (parse.equals("skipped")) {
                return "skipped (" + load + ")";
            }
            boolean libOpen = libbpfOpen.equals("ok");
            boolean ourParse = parse.equals("ok");
            if (libOpen != ourParse) {
                return libOpen ? "PARSE: only libbpf opens it" : "PARSE: only bpfunit parses it";
            }
            if (!libOpen) {
                return "both refuse to open";
            }
            if (libbpfLoad.equals(UNPINNABLE)) {
                return load.equals("ok") ? "both load (bpftool cannot pin '?' programs: not compared)"
                        : "LOAD: only libbpf loads it";
            }
            boolean libLoad = libbpfLoad.equals("ok");
            boolean ourLoad = load.equals("ok");
            if (libLoad != ourLoad) {
                return libLoad ? "LOAD: only libbpf loads it" : "LOAD: only bpfunit loads it";
            }
            if (!libLoad) {
                return "both refuse to load";
            }
            if (compare.equals(MMAPABLE_ONLY)) {
                return "both load, same xlated, data maps differ only by libbpf 1.1's BPF_F_MMAPABLE";
            }
            return compare.equals("same") ? "both load, same xlated" : "DIFFERENT: " + compare;
        }
    }

    private static Result sweep(Path object) throws Exception {
        Result r = new Result(object.getFileName().toString().replaceAll("\\.bpf\\.o$|\\.o$", ""));
        r.libbpfOpen = libbpfOpens(object, r.detail);
        ObjectSpec spec;
        int fdsBefore = Fd.openedByThisThread();
        try {
            spec = BpfObject.loader(object).spec();
            r.parse = "ok";
            describe(spec, r.detail);
        } catch (BpfException e) {
            r.parse = "refused";
            r.detail.append("bpfunit parse: ").append(e.getMessage()).append('\n');
            spec = null;
        } catch (RuntimeException | StackOverflowError e) {
            r.parse = "CRASH " + e.getClass().getSimpleName();
            r.hardFailure = "parse threw " + stack(e);
            r.detail.append("bpfunit parse crashed: ").append(stack(e)).append('\n');
            return r;
        }
        if (spec != null) {
            for (MapSpec m : spec.maps()) {
                long bytes = (long) m.maxEntries() * ((long) m.keySize() + m.valueSize());
                if (bytes > MAP_LIMIT && m.type() != MapType.RINGBUF) {
                    r.parse = "skipped";
                    r.load = "map " + m.name() + " ~" + (bytes >> 20) + " MiB";
                    return r;
                }
            }
        }
        if (!r.libbpfOpen.equals("ok") && spec == null) {
            return r;
        }
        Bpftool.Loaded reference = null;
        BpfObject ours = null;
        Samples.KernelIds ids = null;
        // libbpf pins a LIBBPF_PIN_BY_NAME map under /sys/fs/bpf/<name> itself; what it pinned is removed after
        List<Path> pinnedByName = new ArrayList<>();
        if (spec != null) {
            for (MapSpec m : spec.maps()) {
                Path pin = Bpftool.BPFFS.resolve(m.name());
                if (m.pinning() == 1 && !Files.exists(pin)) {
                    pinnedByName.add(pin);
                }
            }
        }
        try {
            try {
                reference = Bpftool.loadAll(object);
                r.libbpfLoad = "ok";
            } catch (Bpftool.BpftoolException e) {
                // bpftool 7.1 loads the object, then fails to pin the programs libbpf left out (SEC("?..."))
                r.libbpfLoad = e.output().contains("can't pin program that wasn't loaded") ? UNPINNABLE : "refused";
                r.detail.append("libbpf load: ").append(lastLines(e.output(), 15)).append('\n');
            }
            try {
                ours = BpfObject.loader(object).coverage(false).mapMemoryLimit(MAP_LIMIT).load();
                r.load = "ok";
                ids = Samples.kernelIds(ours);
            } catch (BpfException e) {
                r.load = "refused";
                r.detail.append("bpfunit load: ").append(lastLines(e.getMessage(), 25)).append('\n');
            } catch (RuntimeException | StackOverflowError e) {
                r.load = "CRASH " + e.getClass().getSimpleName();
                r.hardFailure = "load threw " + stack(e);
                r.detail.append("bpfunit load crashed: ").append(stack(e)).append('\n');
            }
            if (reference != null && ours != null) {
                r.compare = compare(reference, ours, r.detail);
            }
        } finally {
            if (reference != null) {
                reference.close();
            }
            if (ours != null) {
                ours.close();
            }
            for (Path pin : pinnedByName) {
                Files.deleteIfExists(pin);
            }
        }
        int leaked = Fd.openedByThisThread() - fdsBefore;
        if (leaked != 0 && r.hardFailure == null) {
            r.hardFailure = leaked + " descriptors left open: " + Fd.openByThisThread();
        }
        if (ids != null) {
            List<String> live = ids.stillInKernelAfter(Duration.ofSeconds(10));
            if (!live.isEmpty() && r.hardFailure == null) {
                r.hardFailure = "still in the kernel after close: " + live;
            }
        }
        return r;
    }

    /** {@code bpftool gen skeleton}: libbpf's {@code bpf_object__open} and nothing loaded. */
    private static String libbpfOpens(Path object, StringBuilder detail) throws IOException, InterruptedException {
        Path err = Files.createTempFile("sweep-", ".err");
        try {
            Process p = new ProcessBuilder("bpftool", "gen", "skeleton", object.toAbsolutePath().toString())
                    .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timeout";
            }
            if (p.exitValue() == 0) {
                return "ok";
            }
            detail.append("libbpf open: ").append(lastLines(Files.readString(err), 10)).append('\n');
            return "refused";
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static void describe(ObjectSpec spec, StringBuilder detail) {
        for (ProgramSpec p : spec.programs()) {
            detail.append(String.format("program %s section %s type %s attach %s insns %d%n", p.name(), p.section(),
                    p.type(), p.attachType(), p.instructionCount()));
        }
        for (MapSpec m : spec.maps()) {
            detail.append(String.format("map %s (%s) %s key %d value %d max %d flags 0x%x%n", m.name(),
                    m.kernelName(), m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags()));
        }
    }

    /** "same", or what differs between the kernel's view of libbpf's and of bpfunit's load. */
    private static String compare(Bpftool.Loaded reference, BpfObject ours, StringBuilder detail) {
        List<String> differences = new ArrayList<>();
        Map<String, String> theirPrograms = new TreeMap<>();
        for (Bpftool.ProgInfo p : reference.programs()) {
            theirPrograms.put(p.pinName(), p.type());
        }
        Map<String, String> ourPrograms = new TreeMap<>();
        for (BpfProgram p : ours.programs()) {
            ourPrograms.put(p.name(), bpftoolName(p.info().type().name()));
        }
        if (!theirPrograms.equals(ourPrograms)) {
            differences.add("programs");
            detail.append("programs differ:\n  libbpf  ").append(theirPrograms).append("\n  bpfunit ")
                    .append(ourPrograms).append('\n');
        }
        Map<String, String> theirMaps = theirMaps(reference, false);
        Map<String, String> ourMaps = ourMaps(ours, false);
        if (!theirMaps.equals(ourMaps)) {
            // libbpf 1.1 makes every global data map mmap-able; 1.3 and bpfunit only those with a global variable
            differences.add(theirMaps(reference, true).equals(ourMaps(ours, true)) ? MMAPABLE_ONLY : "maps");
            detail.append("maps differ:\n  libbpf  ").append(theirMaps).append("\n  bpfunit ").append(ourMaps)
                    .append('\n');
        }
        for (BpfProgram p : ours.programs()) {
            if (!theirPrograms.containsKey(p.name())) {
                continue;
            }
            List<String> a = Xlated.ofBpftool(reference, p.name());
            List<String> b = Xlated.ofOurs(ours, p.name());
            if (!a.equals(b)) {
                differences.add("xlated " + p.name());
                detail.append("xlated of ").append(p.name()).append(" differs (").append(a.size()).append(" vs ")
                        .append(b.size()).append(" slots)\n");
                int shown = 0;
                for (int i = 0; i < Math.max(a.size(), b.size()) && shown < 20; i++) {
                    String x = i < a.size() ? a.get(i) : "-";
                    String y = i < b.size() ? b.get(i) : "-";
                    if (!x.equals(y)) {
                        detail.append(String.format("  %5d libbpf %-28s bpfunit %s%n", i, x, y));
                        shown++;
                    }
                }
            }
        }
        return differences.isEmpty() ? "same" : String.join(",", differences);
    }

    private static Map<String, String> theirMaps(Bpftool.Loaded reference, boolean maskMmapable) {
        Map<String, String> out = new TreeMap<>();
        for (Bpftool.MapInfo m : reference.maps()) {
            out.put(m.name(), describe(m.name(), m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(),
                    maskMmapable));
        }
        return out;
    }

    private static Map<String, String> ourMaps(BpfObject ours, boolean maskMmapable) {
        Map<String, String> out = new TreeMap<>();
        for (BpfMap m : ours.maps()) {
            MapInfo info = m.info();
            String type = MapType.of(info.typeNumber()).map(t -> bpftoolName(t.name()))
                    .orElse(Integer.toString(info.typeNumber()));
            out.put(info.name(), describe(info.name(), type, info.keySize(), info.valueSize(), info.maxEntries(),
                    info.flags(), maskMmapable));
        }
        return out;
    }

    private static String describe(String name, String type, int key, int value, int max, long flags,
                                   boolean maskMmapable) {
        boolean data = name.contains(".rodata") || name.contains(".data") || name.contains(".bss");
        long shown = maskMmapable && data ? flags & ~MapSpec.BPF_F_MMAPABLE : flags;
        return String.format("%s key %d value %d max %d flags 0x%x", type, key, value, max, shown);
    }

    /** bpftool's type names are the kernel's enum names in lower case. */
    private static String bpftoolName(String constant) {
        return constant.toLowerCase(Locale.ROOT);
    }

    private static String lastLines(String text, int count) {
        List<String> lines = text == null ? List.of() : text.lines().toList();
        return lines.subList(Math.max(0, lines.size() - count), lines.size()).stream()
                .collect(Collectors.joining("\n    ", "\n    ", ""));
    }

    private static String stack(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return lastLines(w.toString(), 30);
    }
}
