package dev.bpfunit.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Application class-data sharing for the guest JVMs: before the guests start, the host dumps a dynamic CDS archive
 * ({@code -XX:ArchiveClassesAtExit}) of what a guest JVM loads up to its first test — the JUnit launcher, the
 * engines, their discovery of the requested classes, bpfunit's guest launcher and event writing — and every guest
 * maps it ({@code -XX:SharedArchiveFile}, {@code -Xshare:auto}) instead of loading and verifying those classes one
 * by one, which under TCG is most of the time between boot and the first test.
 *
 * <p>CDS takes classes only from jars: each class directory of the classpath ({@code target/classes},
 * {@code target/test-classes}) is packed, classes only, into a jar that takes its place, with fixed entry times in
 * name order (the same classes give the same bytes); a directory that also holds other files (resources a test
 * opens as files) follows every jar on the guest's classpath, where JDK 17 accepts it because no class comes from
 * it. The archive and the jars live in {@code <cache>/<key>/}, the key hashing the java, its version, the JVM
 * flags, every classpath entry's path, size and modification time (a directory's files' too) and the requested
 * classes; a key already dumped is used as it is. The training run ({@link GuestLauncher#TRAIN}) discovers the
 * requested classes and reports their events as skipped, then runs bpfunit's own {@link GuestWarmUp} test: it runs
 * none of the user's tests on the host. Whatever fails (the dump,
 * or a check that the JVM accepts the archive with {@code -Xshare:on}, which JDK 25 refuses while a non-empty
 * directory is on the classpath) leaves one line saying why and the guests run without the archive.
 */
final class GuestCds {
    /** The file in the guest (its own tmpfs) that its JVM logs class loading and CDS warnings to. */
    static final String GUEST_LOG = "/tmp/bpfunit-jvm.log";
    /** The JVM flag that writes {@link #GUEST_LOG}. */
    static final String GUEST_LOG_FLAG = "-Xlog:class+load=info,cds*=warning:file=" + GUEST_LOG + ":tags";
    /** What {@code -Xlog:class+load} says of a class that came from the dynamic (application) archive. */
    static final String FROM_ARCHIVE = "source: shared objects file (top)";
    /** Changes whenever what goes into an archive changes, so older cache entries are not used. */
    private static final int FORMAT = 1;
    /** Every packed jar entry's time: a constant, so the same classes give the same jar. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);
    private static final Duration DUMP_TIMEOUT = Duration.ofMinutes(5);
    private static final int KEEP = 4;
    /** One monitor per cache entry, for the threads of this JVM ({@link #prepare}). */
    private static final Map<Path, Object> IN_THIS_JVM = new ConcurrentHashMap<>();

    private GuestCds() {
    }

    /** An archive ready for the guests: the classpath they must run on, and the archive file. */
    record Archive(Path file, List<String> classpath) {
        /** The guest JVM's flags that use the archive and fall back to normal loading when it does not fit. */
        List<String> jvmArgs() {
            return List.of("-XX:SharedArchiveFile=" + file, "-Xshare:auto");
        }
    }

    /** How the guest's classpath is laid out for CDS: jars in the directories' places, resource directories last. */
    record Layout(List<String> classpath, List<Packed> packed) {
    }

    /** A class directory and the jar its classes are packed into. */
    record Packed(Path dir, Path jar) {
    }

    /**
     * The archive for guests running {@code classes} on {@code classpath}, dumped now if {@code cache} does not hold
     * it yet; empty (after one line to {@code log} saying why) when it cannot be made or is refused.
     *
     * @param flags    the guest JVM's flags that shape its heap and compiler ({@link KernelMatrixEngine#guestFlags})
     * @param training the training run's request (as {@link GuestLauncher} reads it)
     */
    static Optional<Archive> prepare(Path cache, Path java, List<String> flags, List<String> classpath,
                                     Properties training, Consumer<String> log) {
        try {
            Files.createDirectories(cache);
            String key = key(java, flags, classpath, training.getProperty(GuestLauncher.CLASSES, "") + "\n"
                    + BpfKernels.JFR + "=" + training.getProperty(BpfKernels.JFR, "false"));
            Path dir = cache.resolve(key);
            Files.createDirectories(dir);
            // a file lock keeps other JVMs out, the monitor other threads of this one (two guests saved at once
            // want the same archive; a second lock of the same file in one JVM throws)
            synchronized (IN_THIS_JVM.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new Object())) {
                return prepareLocked(dir, java, flags, classpath, training, log);
            }
        } catch (IOException | RuntimeException e) {
            log.accept("no class-data archive for the guests: " + e);
            return Optional.empty();
        }
    }

    /** {@link #prepare} in the cache entry {@code dir}, which this thread alone in this JVM works on. */
    private static Optional<Archive> prepareLocked(Path dir, Path java, List<String> flags, List<String> classpath,
                                                   Properties training, Consumer<String> log) throws IOException {
        try (FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            Path archive = dir.resolve("guest.jsa");
            Path failed = dir.resolve("failed.txt");
            if (Files.isRegularFile(failed)) {
                log.accept("no class-data archive for the guests (" + Files.readString(failed).strip()
                        + "; from an earlier try, " + failed + ")");
                return Optional.empty();
            }
            Layout layout = layout(classpath, dir);
            if (!Files.isRegularFile(archive)) {
                Optional<String> why = dump(java, flags, layout, training, dir, archive);
                if (why.isPresent()) {
                    Files.writeString(failed, why.get() + "\n");
                    log.accept("no class-data archive for the guests: " + why.get());
                    return Optional.empty();
                }
            }
            prune(dir.getParent(), dir);
            return Optional.of(new Archive(archive, layout.classpath()));
        }
    }

    /**
     * The cache key: a hash of the java (path, version, size and time of the binary, of its module image and of its
     * base class-data archives), the flags, every classpath entry (a file's size and time, a directory's files'
     * names, sizes and times) and the training: the requested classes and the launcher's settings that change what
     * it loads ({@link BpfKernels#JFR}).
     */
    static String key(Path java, List<String> flags, List<String> classpath, String training) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("format ").append(FORMAT).append('\n');
        text.append("java ").append(java).append(' ').append(System.getProperty("java.vm.version")).append('\n');
        CacheKeys.describe(java.toRealPath(), text);
        Path home = java.toRealPath().getParent().getParent();
        CacheKeys.describe(home.resolve("lib").resolve("modules"), text);
        // the JDK's base archives (lib/server/classes.jsa, classes_nocoops.jsa...): the dynamic archive is a layer
        // on one of them, and a JVM whose base archive was dumped again (a JDK package's upgrade or its postinst)
        // rejects the layer without a word, so every guest JVM would run without it
        for (Path archive : baseArchives(home)) {
            text.append("base ").append(home.relativize(archive)).append(' ');
            CacheKeys.describe(archive, text);
        }
        text.append("flags ").append(String.join(" ", flags)).append('\n');
        for (String entry : classpath) {
            Path path = Path.of(entry);
            text.append("entry ").append(entry).append('\n');
            if (Files.isDirectory(path)) {
                for (Path file : files(path)) {
                    text.append("  ").append(path.relativize(file)).append(' ');
                    CacheKeys.describe(file, text);
                }
            } else {
                CacheKeys.describe(path, text);
            }
        }
        text.append("training ").append(training).append('\n');
        return CacheKeys.hex(text.toString(), 12);
    }

    /** The JDK's default class-data archives: the {@code .jsa} files of each VM's directory under {@code lib}. */
    static List<Path> baseArchives(Path home) throws IOException {
        Path lib = home.resolve("lib");
        if (!Files.isDirectory(lib)) {
            return List.of();
        }
        try (Stream<Path> vms = Files.list(lib)) {
            List<Path> archives = new ArrayList<>();
            for (Path vm : vms.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(vm)) {
                    files.filter(f -> f.getFileName().toString().endsWith(".jsa")).sorted().forEach(archives::add);
                }
            }
            return archives;
        }
    }

    /** The regular files under {@code dir}, in name order. */
    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * The guest classpath for CDS, with the jars of {@code dir}: each directory holding classes is replaced by the
     * jar of its classes ({@code dir/classes-<n>.jar}); a directory holding anything else too, or only other
     * files, moves behind the last entry, keeping the order of such directories. Files and empty or missing
     * directories stay where they are. The jars are packed here if they do not exist yet.
     */
    static Layout layout(List<String> classpath, Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        List<String> last = new ArrayList<>();
        List<Packed> packed = new ArrayList<>();
        for (String entry : classpath) {
            Path path = Path.of(entry);
            if (!Files.isDirectory(path)) {
                entries.add(entry);
                continue;
            }
            List<Path> files = files(path);
            boolean classes = files.stream().anyMatch(GuestCds::isClass);
            boolean others = files.stream().anyMatch(f -> !isClass(f));
            if (classes) {
                Path jar = dir.resolve("classes-" + packed.size() + ".jar");
                if (!Files.isRegularFile(jar)) {
                    Path tmp = dir.resolve(jar.getFileName() + ".tmp");
                    pack(path, tmp);
                    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                packed.add(new Packed(path, jar));
                entries.add(jar.toString());
            }
            if (others) {
                last.add(entry);
            } else if (!classes) {
                entries.add(entry);
            }
        }
        entries.addAll(last);
        return new Layout(List.copyOf(entries), List.copyOf(packed));
    }

    private static boolean isClass(Path file) {
        return file.getFileName().toString().endsWith(".class");
    }

    /**
     * Writes the {@code .class} files under {@code dir} into the jar {@code jar}: entries in name order, every one
     * with the same time, no manifest (a directory is no multi-release jar, and neither is its jar), so the same
     * classes always give the same bytes.
     */
    static void pack(Path dir, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Path classFile : files(dir)) {
                if (!isClass(classFile)) {
                    continue;
                }
                StringBuilder name = new StringBuilder();
                for (Path part : dir.relativize(classFile)) {
                    name.append(name.length() == 0 ? "" : "/").append(part);
                }
                ZipEntry entry = new ZipEntry(name.toString());
                entry.setTimeLocal(ENTRY_TIME);
                zip.putNextEntry(entry);
                Files.copy(classFile, zip);
                zip.closeEntry();
            }
        }
    }

    /**
     * Runs the training JVM with {@code -XX:ArchiveClassesAtExit}, then checks with {@code -Xshare:on} that the
     * JVM maps the archive on the guest's classpath; the reason when either fails.
     */
    private static Optional<String> dump(Path java, List<String> flags, Layout layout, Properties training, Path dir,
                                         Path archive) throws IOException {
        Path request = dir.resolve("training.properties");
        try (Writer out = Files.newBufferedWriter(request, StandardCharsets.UTF_8)) {
            training.store(out, "bpfunit kernel matrix: the class-data archive's training run");
        }
        Path tmp = dir.resolve("guest.jsa.tmp");
        Files.deleteIfExists(tmp);
        String classpath = String.join(":", layout.classpath());
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(flags);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + tmp, "-D" + GuestLauncher.GUEST_PROPERTY + "=" + GuestLauncher.TRAINING,
                "-cp", classpath, GuestLauncher.class.getName(), GuestLauncher.TRAIN, request.toString(),
                dir.resolve("training-events.txt").toString()));
        Path dumpLog = dir.resolve("dump.log");
        Optional<String> failed = run(command, dumpLog, "the training run");
        if (failed.isPresent()) {
            return failed;
        }
        if (!Files.isRegularFile(tmp)) {
            return Optional.of("the training run wrote no archive; see " + dumpLog);
        }
        List<String> check = new ArrayList<>(List.of(java.toString()));
        check.addAll(flags);
        check.addAll(List.of("-XX:SharedArchiveFile=" + tmp, "-Xshare:on", "-Xlog:cds*=warning,class+path=warning",
                "-cp", classpath, "-version"));
        Path checkLog = dir.resolve("check.log");
        failed = run(check, checkLog, "the JVM");
        if (failed.isPresent()) {
            Files.deleteIfExists(tmp);
            return failed;
        }
        Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
        return Optional.empty();
    }

    /** Runs {@code command} with its output in {@code output}; why it failed, if it did. */
    private static Optional<String> run(List<String> command, Path output, String what) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            if (!process.waitFor(DUMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return Optional.of(what + " took more than " + DUMP_TIMEOUT.toMinutes() + " min; see " + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return Optional.of(what + " was interrupted");
        }
        if (process.exitValue() == 0) {
            return Optional.empty();
        }
        return Optional.of(what + " ended with status " + process.exitValue() + firstError(Files.readString(output))
                .map(e -> ": " + e).orElse("") + " (" + output + ")");
    }

    /** The JVM's first error or warning line about CDS or the class path, without its decorations. */
    static Optional<String> firstError(String output) {
        Optional<String> cds = output.lines().filter(l -> l.contains("[error") || l.contains("[warning"))
                .filter(l -> l.contains("cds") || l.contains("class,path")).map(GuestCds::undecorated)
                .filter(l -> !l.startsWith("Skipping ") && !l.startsWith("Pre JDK 6 class")).findFirst();
        return cds.or(() -> output.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst());
    }

    /** A log line without its leading {@code [decoration]}s. */
    private static String undecorated(String line) {
        String rest = line.strip();
        while (rest.startsWith("[") && rest.indexOf(']') > 0) {
            rest = rest.substring(rest.indexOf(']') + 1).strip();
        }
        return rest;
    }

    /** Deletes all but the {@link #KEEP} most recent cache entries (other than {@code current}), as far as it can. */
    private static void prune(Path cache, Path current) {
        try (Stream<Path> entries = Files.list(cache)) {
            List<Path> old = entries.filter(Files::isDirectory).filter(p -> !p.equals(current))
                    .sorted((a, b) -> Long.compare(modified(b), modified(a))).toList();
            for (Path stale : old.subList(Math.min(old.size(), KEEP - 1), old.size())) {
                FileTrees.deleteQuietly(stale);
            }
        } catch (IOException | UncheckedIOException e) {
            // an old entry left behind costs disk space only
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * What the guest JVM's log ({@link #GUEST_LOG_FLAG}) up to its first test says of the classes loaded so far:
     * how many came from the application archive, of how many, and why the archive was not used when none did
     * (the JVM's first CDS warning).
     */
    static String summary(String log, boolean archiveGiven) {
        long loaded = 0;
        long shared = 0;
        String warning = null;
        for (String line : log.split("\n")) {
            if (line.startsWith("[class,load")) {
                loaded++;
                if (line.contains(FROM_ARCHIVE)) {
                    shared++;
                }
            } else if (warning == null && line.startsWith("[cds") && !line.contains("Skipping ")) {
                warning = undecorated(line);
            }
        }
        String counts = String.format("%,d of %,d classes before the first test from the class-data archive",
                shared, loaded);
        if (!archiveGiven) {
            return "no class-data archive; " + String.format("%,d classes before the first test", loaded);
        }
        return shared > 0 || warning == null ? counts : counts + " (not used: " + warning + ")";
    }
}
