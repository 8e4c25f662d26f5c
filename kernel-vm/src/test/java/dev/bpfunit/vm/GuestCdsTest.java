package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.vm.fixtures.GuestPasses;
import dev.bpfunit.vm.fixtures.NamesAnObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guests' class-data archive: its jars, its cache key, its fallbacks, and a real dump on this host's JDK. */
class GuestCdsTest {
    private static final Path JAVA = GuestJava.currentJava();

    @TempDir
    Path tmp;

    private Path classDir(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("a/b"));
        Files.write(dir.resolve("a/b/Z.class"), new byte[] {(byte) 0xca, (byte) 0xfe, 1});
        Files.write(dir.resolve("a/A.class"), new byte[] {(byte) 0xca, (byte) 0xfe, 2});
        Files.write(dir.resolve("a/b/Y$1.class"), new byte[] {(byte) 0xca, (byte) 0xfe, 3});
        return dir;
    }

    @Test
    void packingGivesTheSameBytesForTheSameClassesWhateverTheirTimes() throws IOException {
        Path dir = classDir("classes");
        Files.writeString(dir.resolve("a/resource.txt"), "not a class");
        GuestCds.pack(dir, tmp.resolve("one.jar"));
        for (Path file : List.of(dir.resolve("a/A.class"), dir.resolve("a/b/Z.class"))) {
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2031-05-06T07:08:09Z")));
        }
        GuestCds.pack(dir, tmp.resolve("two.jar"));

        assertThat(tmp.resolve("two.jar")).hasSameBinaryContentAs(tmp.resolve("one.jar"));
        try (ZipFile jar = new ZipFile(tmp.resolve("one.jar").toFile())) {
            List<String> names = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                names.add(entry.getName());
                assertThat(entry.getTimeLocal()).hasToString("2000-01-01T00:00");
            }
            // classes only, in name order, no manifest: the directory's resources stay files
            assertThat(names).containsExactly("a/A.class", "a/b/Y$1.class", "a/b/Z.class");
            assertThat(jar.getInputStream(jar.getEntry("a/b/Z.class")).readAllBytes())
                    .containsExactly((byte) 0xca, (byte) 0xfe, 1);
        }
    }

    @Test
    void classDirectoriesBecomeJarsAndDirectoriesWithOtherFilesGoLast() throws IOException {
        Path both = classDir("test-classes");
        Files.writeString(both.resolve("sample.bpf.o"), "an object a test opens as a file");
        Path classesOnly = classDir("classes");
        Path resourcesOnly = Files.createDirectories(tmp.resolve("resources/bpf"));
        Files.writeString(resourcesOnly.resolve("x.o"), "x");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path jar = Files.writeString(tmp.resolve("lib.jar"), "a jar");
        Path cache = Files.createDirectories(tmp.resolve("cache"));

        GuestCds.Layout layout = GuestCds.layout(List.of(both.toString(), jar.toString(), classesOnly.toString(),
                resourcesOnly.getParent().toString(), empty.toString(), tmp.resolve("missing").toString()), cache);

        assertThat(layout.classpath()).containsExactly(cache.resolve("classes-0.jar").toString(), jar.toString(),
                cache.resolve("classes-1.jar").toString(), empty.toString(), tmp.resolve("missing").toString(),
                both.toString(), resourcesOnly.getParent().toString());
        assertThat(layout.packed()).extracting(GuestCds.Packed::dir).containsExactly(both, classesOnly);
        assertThat(cache.resolve("classes-0.jar")).isRegularFile();
    }

    @Test
    void theKeyChangesWithWhatTheArchiveDependsOn() throws IOException {
        Path dir = classDir("classes");
        Path jar = Files.writeString(tmp.resolve("lib.jar"), "a jar");
        List<String> classpath = List.of(dir.toString(), jar.toString());
        List<String> flags = GuestJava.TCG_FLAGS;
        String key = GuestCds.key(JAVA, flags, classpath, "x.ATest");

        assertThat(GuestCds.key(JAVA, flags, classpath, "x.ATest")).isEqualTo(key);
        assertThat(GuestCds.key(JAVA, flags, classpath, "x.ATest,x.BTest")).isNotEqualTo(key);
        assertThat(GuestCds.key(JAVA, List.of(), classpath, "x.ATest")).isNotEqualTo(key);
        assertThat(GuestCds.key(JAVA, flags, List.of(jar.toString(), dir.toString()), "x.ATest")).isNotEqualTo(key);

        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        String touched = GuestCds.key(JAVA, flags, classpath, "x.ATest");
        assertThat(touched).isNotEqualTo(key);

        Files.write(dir.resolve("a/A.class"), new byte[] {(byte) 0xca, (byte) 0xfe, 2, 2});
        String grown = GuestCds.key(JAVA, flags, classpath, "x.ATest");
        assertThat(grown).isNotEqualTo(touched);

        Files.writeString(dir.resolve("a/new.txt"), "");
        assertThat(GuestCds.key(JAVA, flags, classpath, "x.ATest")).isNotEqualTo(grown);
    }

    /**
     * A JDK whose base archive was dumped again (its package upgraded, or {@code java -Xshare:dump} run as root)
     * would reject an archive layered on the old one without a word: the key changes with it.
     */
    @Test
    void theKeyChangesWhenTheJdksBaseArchiveIsDumpedAgain() throws IOException {
        Path home = tmp.resolve("jdk");
        Path java = Files.writeString(Files.createDirectories(home.resolve("bin")).resolve("java"), "#!/bin/sh\n");
        Files.writeString(Files.createDirectories(home.resolve("lib")).resolve("modules"), "modules");
        Path archive = Files.writeString(Files.createDirectories(home.resolve("lib/server")).resolve("classes.jsa"),
                "base archive");
        Files.writeString(home.resolve("lib/server/libjvm.so"), "not an archive");
        List<String> classpath = List.of(Files.writeString(tmp.resolve("lib.jar"), "a jar").toString());
        String key = GuestCds.key(java, GuestJava.TCG_FLAGS, classpath, "x.ATest");

        assertThat(GuestCds.baseArchives(home)).containsExactly(archive);
        Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        assertThat(GuestCds.key(java, GuestJava.TCG_FLAGS, classpath, "x.ATest")).isNotEqualTo(key);
        assertThat(GuestCds.baseArchives(tmp.resolve("no-jdk"))).isEmpty();
    }

    /** A JVM that cannot dump: one line says why, the guests run without an archive, and the failure is kept. */
    @Test
    void aFailedDumpFallsBackWithOneLineAndIsNotRetried() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '[0.004s][error][cds] An error has occurred while processing the"
                + " shared archive file.'\nexit 1\n");
        java.toFile().setExecutable(true);
        Path cache = tmp.resolve("cache");
        List<String> lines = new ArrayList<>();
        Properties training = new Properties();
        training.setProperty(GuestLauncher.CLASSES, "x.ATest");

        Optional<GuestCds.Archive> archive = GuestCds.prepare(cache, java, List.of(), List.of(classDir("c").toString()),
                training, lines::add);

        assertThat(archive).isEmpty();
        assertThat(lines).singleElement().asString().startsWith("no class-data archive for the guests: the training run"
                + " ended with status 1: An error has occurred while processing the shared archive file.");
        assertThat(GuestCds.prepare(cache, java, List.of(), List.of(tmp.resolve("c").toString()), training,
                lines::add)).isEmpty();
        assertThat(lines).hasSize(2).last().asString().contains("from an earlier try");
    }

    /**
     * Two threads of one JVM asking for the same archive at once (two guests saved with resident JVMs): one makes it,
     * the other waits and takes what the first did, neither refused by the file lock the first holds.
     */
    @Test
    void twoThreadsAskingForTheSameArchiveTakeTurns() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nsleep 1\necho '[0.004s][error][cds] cannot dump'\nexit 1\n");
        java.toFile().setExecutable(true);
        Path cache = tmp.resolve("cache");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Properties training = new Properties();
        training.setProperty(GuestLauncher.CLASSES, "");
        List<String> classpath = List.of(Files.writeString(tmp.resolve("lib.jar"), "a jar").toString());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> GuestCds.prepare(cache, java, List.of(), classpath, training, lines::add));
            var second = pool.submit(() -> GuestCds.prepare(cache, java, List.of(), classpath, training, lines::add));
            assertThat(first.get()).isEmpty();
            assertThat(second.get()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
        assertThat(lines).hasSize(2).noneMatch(l -> l.contains("OverlappingFileLockException"))
                .anyMatch(l -> l.contains("cannot dump")).anyMatch(l -> l.contains("from an earlier try"));
    }

    /**
     * The dump on this host's JDK, on this JVM's classpath (its {@code target/test-classes} holds resources): JDK 17
     * maps the archive with -Xshare:on; a later JDK may refuse the directory (JDK 25 does), and then one line says so.
     */
    @Test
    void dumpsAnArchiveThatThisJavaAcceptsAndReusesIt() throws IOException {
        Path cache = tmp.resolve("cache");
        Properties training = new Properties();
        training.setProperty(GuestLauncher.CLASSES, GuestPasses.class.getName() + "," + NamesAnObject.class.getName());
        List<String> lines = new ArrayList<>();
        List<String> classpath = HostClasspath.entries();

        Optional<GuestCds.Archive> made = GuestCds.prepare(cache, JAVA, GuestJava.TCG_FLAGS, classpath, training,
                lines::add);
        if (made.isEmpty() && Runtime.version().feature() > 17) {
            assertThat(lines).singleElement().asString().startsWith("no class-data archive for the guests: the JVM"
                    + " ended with status 1: directory is not empty: ");
            return;
        }
        GuestCds.Archive archive = made.orElseThrow(() -> new AssertionError("no archive: " + lines));

        assertThat(lines).isEmpty();
        assertThat(archive.file()).isRegularFile();
        assertThat(archive.jvmArgs()).containsExactly("-XX:SharedArchiveFile=" + archive.file(), "-Xshare:auto");
        // the class directories (with resources) follow every jar, their classes packed into jars in their places
        List<String> dirs = archive.classpath().stream().filter(e -> Files.isDirectory(Path.of(e))).toList();
        assertThat(dirs).isNotEmpty();
        assertThat(archive.classpath().subList(archive.classpath().size() - dirs.size(), archive.classpath().size()))
                .isEqualTo(dirs);
        assertThat(archive.classpath().get(0)).isEqualTo(archive.file().resolveSibling("classes-0.jar").toString());
        // the training run discovered the class and reported its test skipped, without running it
        assertThat(Files.readString(archive.file().resolveSibling("training-events.txt")))
                .contains("SKIPPED\t[engine:junit-jupiter]/[class:" + GuestPasses.class.getName() + "]/[method:passes()]");
        // then ran the warm-up, whose test with bpfunit's extension passed where BPF works (skipped elsewhere)
        String bpfWarmUp = "[engine:junit-jupiter]/[class:" + GuestWarmUp.class.getName()
                + "]/[nested-class:WithBpfExtension]";
        assertThat(Files.readString(archive.file().resolveSibling("training-events.txt")))
                .contains(dev.bpfunit.Features.unavailableReason().isEmpty()
                        ? "FINISHED\t" + bpfWarmUp + "/[method:probesTheKernel()]\tSUCCESSFUL"
                        : "SKIPPED\t" + bpfWarmUp);
        // and parsed the object its @BpfTest class names, so the parser's classes are in the archive
        assertThat(archivedClasses(archive)).contains(GuestPasses.class.getName(), "dev.bpfunit.elf.ObjectReader",
                "dev.bpfunit.btf.BtfExt", "dev.bpfunit.spec.ProgramSpec", "com.sun.jna.Native",
                "dev.bpfunit.junit.BpfExtension");
        long dumped = Files.getLastModifiedTime(archive.file()).toMillis();
        assertThat(GuestCds.prepare(cache, JAVA, GuestJava.TCG_FLAGS, classpath, training, lines::add)).contains(archive);
        assertThat(Files.getLastModifiedTime(archive.file()).toMillis()).isEqualTo(dumped);
    }

    /** The classes of the class path that {@code archive} holds, as the JVM prints its shared dictionary. */
    private static List<String> archivedClasses(GuestCds.Archive archive) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA.toString()));
        command.addAll(GuestJava.TCG_FLAGS);
        command.addAll(archive.jvmArgs());
        command.addAll(List.of("-XX:+PrintSharedArchiveAndExit", "-XX:+PrintSharedDictionary", "-cp",
                String.join(":", archive.classpath())));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        List<String> classes = new ArrayList<>();
        for (String line : out.split("\n")) {
            // "   12: dev.bpfunit.elf.ObjectReader app_loader"
            String[] words = line.trim().split("\\s+");
            if (words.length == 3 && words[0].endsWith(":") && words[2].equals("app_loader")) {
                classes.add(words[1]);
            }
        }
        return classes;
    }

    @Test
    void theGuestsLogSaysHowManyClassesCameFromTheArchiveAndWhyNone() {
        String used = """
                [class,load] java.lang.Object source: shared objects file
                [class,load] org.junit.platform.launcher.Launcher source: shared objects file (top)
                [class,load] dev.bpfunit.vm.GuestLauncher source: shared objects file (top)
                [class,load] x.Lambda$1/0x0000 source: x.Foo
                """;
        assertThat(GuestCds.summary(used, true)).isEqualTo("2 of 4 classes before the first test from the class-data archive");
        String refused = """
                [cds] shared class paths mismatch (hint: enable -Xlog:class+path=info to diagnose the failure)
                [cds,dynamic] Unable to use shared archive. The top archive failed to load: /x/guest.jsa
                [class,load] java.lang.Object source: shared objects file
                [class,load] org.junit.platform.launcher.Launcher source: jar:file:/x/launcher.jar
                """;
        assertThat(GuestCds.summary(refused, true)).isEqualTo("0 of 2 classes before the first test from the"
                + " class-data archive (not used: shared class paths mismatch (hint: enable -Xlog:class+path=info to"
                + " diagnose the failure))");
        assertThat(GuestCds.summary(refused, false)).isEqualTo("no class-data archive; 2 classes before the first test");
    }
}
