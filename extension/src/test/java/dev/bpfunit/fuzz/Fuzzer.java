package dev.bpfunit.fuzz;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfSection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A seeded, structure-aware fuzzer over the object, BTF, BTF.ext and verifier-log readers: mutants of the
 * committed objects are fed to each reader, and every outcome other than a normal return or a
 * {@link BpfException}, or a run over the time limit, is saved as a finding.
 *
 * <p>Input {@code i} of a run with seed {@code s} depends only on {@code (s, i)}, so a finding can be
 * reproduced from its seed and index, and a run is the same on every machine with the same seeds.
 */
public final class Fuzzer {

    /**
     * The time one input may take before it counts as a hang: a bound on a loop that never ends, not a speed check.
     * An 8 MB mutant (a section of a million instructions) parses in 0.3-2 s on an idle 2-core machine and took 6 s
     * at load average 30, which a 5 s bound reported as a hang.
     */
    static final long TIMEOUT_MILLIS = 30_000;
    private static final int SAVED_PER_SIGNATURE = 3;

    /** What a run found. */
    record Result(long inputs, Map<FuzzTarget, Long> perTarget, long rejected, Map<String, Integer> findings,
                  List<Path> saved, long hangs, long peakHeapBytes, long millis) {
        boolean clean() {
            return findings.isEmpty() && hangs == 0;
        }

        @Override
        public String toString() {
            return String.format("%d inputs in %.1f s %s: %d rejected with a BpfException, %d hangs over %d ms, "
                            + "peak heap %d MiB, findings %s%s", inputs, millis / 1000.0, perTarget, rejected, hangs,
                    TIMEOUT_MILLIS, peakHeapBytes >> 20, findings.isEmpty() ? "none" : findings,
                    saved.isEmpty() ? "" : ", saved " + saved);
        }
    }

    private final Map<FuzzTarget, List<Mutator.Seed>> seeds;
    private final List<Mutator.Seed> allSeeds;
    private final Path findingsDir;

    Fuzzer(Map<FuzzTarget, List<Mutator.Seed>> seeds, Path findingsDir) {
        this.seeds = seeds;
        this.allSeeds = seeds.values().stream().flatMap(List::stream).toList();
        this.findingsDir = findingsDir;
    }

    /** Seeds from every object ({@code *.o}), BTF ({@code *.btf}) and verifier log ({@code *.log}) under dirs. */
    static Fuzzer fromDirectories(List<Path> dirs, Path findingsDir) {
        Map<FuzzTarget, List<Mutator.Seed>> seeds = new EnumMap<>(FuzzTarget.class);
        for (FuzzTarget t : FuzzTarget.values()) {
            seeds.put(t, new ArrayList<>());
        }
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted().toList()) {
                    addSeed(p, seeds);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        seeds.get(FuzzTarget.VERIFIER_LOG).add(Mutator.logSeed("synthetic.log", String.join("\n",
                "func#0 @0", "0: R1=ctx() R10=fp0", "; int x = 1; @ prog.bpf.c:12", "0: (b7) r0 = 0",
                "1: (95) exit", "R0 !read_ok", "invalid func unknown#195896080", "back-edge from insn 4 to 1",
                "processed 2 insns (limit 1000000) max_states_per_insn 0", "stack depth 8")));
        for (Map.Entry<FuzzTarget, List<Mutator.Seed>> e : seeds.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalStateException("no seeds for " + e.getKey() + " under " + dirs);
            }
        }
        return new Fuzzer(seeds, findingsDir);
    }

    private static void addSeed(Path p, Map<FuzzTarget, List<Mutator.Seed>> seeds) throws IOException {
        String name = p.getFileName().toString();
        if (name.endsWith(".log")) {
            seeds.get(FuzzTarget.VERIFIER_LOG).add(Mutator.logSeed(name, Files.readString(p)));
        } else if (name.endsWith(".btf")) {
            seeds.get(FuzzTarget.BTF).add(Mutator.btfSeed(name, Files.readAllBytes(p)));
        } else if (name.endsWith(".o")) {
            byte[] bytes = Files.readAllBytes(p);
            ElfFile elf;
            try {
                elf = ElfFile.parse(bytes, name);
            } catch (BpfException notBpf) {
                return; // e.g. the x86 object kept to test the refusal
            }
            seeds.get(FuzzTarget.OBJECT).add(Mutator.elfSeed(name, bytes));
            byte[] btf = elf.section(".BTF").map(ElfSection::data).orElse(null);
            if (btf != null) {
                seeds.get(FuzzTarget.BTF).add(Mutator.btfSeed(name + ".BTF", btf));
                elf.section(".BTF.ext").ifPresent(ext -> seeds.get(FuzzTarget.BTF_EXT)
                        .add(Mutator.extSeed(name + ".BTF.ext", btf, ext.data())));
            }
        }
    }

    /** The default seed directories, relative to the extension module. */
    static List<Path> defaultSeedDirs() {
        String dirs = System.getProperty("bpfunit.fuzz.seeds", "src/test/resources,../samples/src/main/resources/bpf");
        return Stream.of(dirs.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    /** Makes input {@code index} of a run seeded with {@code seed}. */
    Input input(long seed, long index) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + index);
        int dice = random.nextInt(100);
        FuzzTarget target = dice < 55 ? FuzzTarget.OBJECT : dice < 70 ? FuzzTarget.BTF
                : dice < 82 ? FuzzTarget.BTF_EXT : FuzzTarget.VERIFIER_LOG;
        List<Mutator.Seed> pool = seeds.get(target);
        Mutator.Seed s = pool.get(random.nextInt(pool.size()));
        Mutator mutator = new Mutator(random);
        byte[] bytes = target == FuzzTarget.VERIFIER_LOG
                ? mutator.mutateLog(new String(s.bytes(), StandardCharsets.UTF_8), seeds.get(target))
                        .getBytes(StandardCharsets.UTF_8)
                : mutator.mutate(s, allSeeds);
        return new Input(target, s.name(), index, bytes);
    }

    /** One input: the reader it goes to, the seed it came from, its index in the run and its bytes. */
    record Input(FuzzTarget target, String seed, long index, byte[] bytes) {
    }

    /** Runs {@code count} inputs of the run seeded with {@code seed}. */
    Result run(long seed, long count, java.util.function.LongConsumer progress) {
        long start = System.currentTimeMillis();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        Map<FuzzTarget, Long> perTarget = new EnumMap<>(FuzzTarget.class);
        Map<String, Integer> findings = new LinkedHashMap<>();
        List<Path> saved = new ArrayList<>();
        long rejected = 0;
        long hangs = 0;
        ExecutorService worker = newWorker();
        try {
            for (long i = 0; i < count; i++) {
                Input in = input(seed, i);
                perTarget.merge(in.target(), 1L, Long::sum);
                Future<Throwable> outcome = worker.submit(() -> outcomeOf(in.target(), in.bytes()));
                Throwable t;
                try {
                    t = outcome.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    outcome.cancel(true);
                    worker.shutdownNow();
                    worker = newWorker();
                    hangs++;
                    String signature = in.target() + " hang over " + TIMEOUT_MILLIS + " ms";
                    if (findings.merge(signature, 1, Integer::sum) <= SAVED_PER_SIGNATURE) {
                        saved.add(save(in, "hang"));
                    }
                    continue;
                } catch (ExecutionException e) {
                    t = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (t instanceof BpfException && !(t.getCause() instanceof RuntimeException unforeseen
                        && !(unforeseen instanceof BpfException))) {
                    rejected++;
                } else if (t != null) {
                    String signature = signature(in.target(), t);
                    if (findings.merge(signature, 1, Integer::sum) <= SAVED_PER_SIGNATURE) {
                        saved.add(save(in, t.getClass().getSimpleName()));
                    }
                }
                if (progress != null && (i + 1) % 100_000 == 0) {
                    progress.accept(i + 1);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return new Result(count, perTarget, rejected, findings, saved, hangs, peak,
                System.currentTimeMillis() - start);
    }

    /** Runs one input on the calling thread; returns what it threw, or null. */
    static Throwable outcomeOf(FuzzTarget target, byte[] bytes) {
        try {
            target.run(bytes);
            return null;
        } catch (Throwable t) { // a finding is any throwable: OutOfMemoryError and StackOverflowError included
            return t;
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bpfunit-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    /** The exception class and the first frame in bpfunit, to group findings with one cause. */
    static String signature(FuzzTarget target, Throwable thrown) {
        // a reader's safety net wraps what it did not foresee: the cause is the finding
        Throwable t = thrown instanceof BpfException && thrown.getCause() instanceof RuntimeException cause
                ? cause : thrown;
        String frame = "";
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("dev.bpfunit.") && !e.getClassName().startsWith("dev.bpfunit.fuzz.")) {
                frame = " at " + e.getClassName().substring("dev.bpfunit.".length()) + "." + e.getMethodName()
                        + ":" + e.getLineNumber();
                break;
            }
        }
        return target + " " + t.getClass().getName() + frame;
    }

    private Path save(Input in, String what) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(in.bytes());
            Path dir = findingsDir.resolve(in.target().name().toLowerCase(java.util.Locale.ROOT));
            Files.createDirectories(dir);
            Path file = dir.resolve(what + "-" + HexFormat.of().formatHex(hash, 0, 6) + ".bin");
            Files.write(file, in.bytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the fuzzer from the command line: {@code Fuzzer [inputs] [seed] [findings-dir]}; exits 1 when it
     * found anything. The Maven way is {@code FuzzTest} with {@code -Dbpfunit.fuzz.inputs=N}.
     */
    public static void main(String[] args) {
        long count = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        Path dir = Path.of(args.length > 2 ? args[2] : "target/fuzz-findings");
        Fuzzer fuzzer = fromDirectories(defaultSeedDirs(), dir);
        Result result = fuzzer.run(seed, count, n -> System.out.println(n + " inputs"));
        System.out.println(result);
        System.exit(result.clean() ? 0 : 1);
    }
}
