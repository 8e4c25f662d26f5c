package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host files a resident JVM brings into the guest: at their host paths, links kept, named by a manifest. */
class GuestLayerTest {
    @TempDir
    Path tmp;

    private static Map<String, CpioReader.Member> members(GuestLayer layer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        layer.writeTo(out);
        return CpioReader.read(out.toByteArray()).stream()
                .collect(Collectors.toMap(CpioReader.Member::name, Function.identity()));
    }

    private static String relative(Path path) {
        return path.toString().substring(1);
    }

    @Test
    void keepsTheLinksOnTheWayToAFileAndCopiesItWhenWritten() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("usr/lib"));
        Files.writeString(real.resolve("libz.so.1.2.13"), "zlib");
        Files.createSymbolicLink(real.resolve("libz.so.1"), Path.of("libz.so.1.2.13"));
        Files.createSymbolicLink(tmp.resolve("lib"), Path.of("usr/lib"));

        GuestLayer layer = new GuestLayer().include(tmp.resolve("lib/libz.so.1"));
        Files.writeString(real.resolve("libz.so.1.2.13"), "ZLIB"); // read when written, not when added

        Map<String, CpioReader.Member> members = members(layer);
        assertThat(new String(members.get(relative(tmp.resolve("lib"))).data(), StandardCharsets.UTF_8))
                .isEqualTo("usr/lib");
        assertThat(members.get(relative(tmp.resolve("lib"))).mode()).isEqualTo(0120777);
        assertThat(new String(members.get(relative(real.resolve("libz.so.1"))).data(), StandardCharsets.UTF_8))
                .isEqualTo("libz.so.1.2.13");
        assertThat(new String(members.get(relative(real.resolve("libz.so.1.2.13"))).data(), StandardCharsets.UTF_8))
                .isEqualTo("ZLIB");
        assertThat(members).containsKey(GuestLayer.MARKER);
        assertThat(layer.manifest()).contains("l " + relative(tmp.resolve("lib")) + " -> usr/lib\n")
                .contains("f " + relative(real.resolve("libz.so.1.2.13")) + " 4 ");
    }

    /**
     * A copied file keeps its modification time (a class-data archive checks its jars' times), a file made by
     * bpfunit has none; a derived file (the JVM's class-data archive) lies where it is put, outside the manifest.
     */
    @Test
    void copiedFilesKeepTheirTimesAndADerivedFileIsNotInTheManifest() throws IOException {
        Path jar = tmp.resolve("a.jar");
        Files.writeString(jar, "jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(1_700_000_000_000L));
        Path archive = tmp.resolve("launcher.jsa");
        Files.writeString(archive, "archive");

        GuestLayer layer = new GuestLayer().include(jar);
        String manifest = layer.manifest();
        layer.derivedFile(ResidentJvm.ARCHIVE, archive);

        Map<String, CpioReader.Member> members = members(layer);
        assertThat(members.get(relative(jar)).mtime()).isEqualTo(1_700_000_000L);
        assertThat(members.get(GuestLayer.MARKER).mtime()).isZero();
        assertThat(new String(members.get(ResidentJvm.ARCHIVE).data(), StandardCharsets.UTF_8)).isEqualTo("archive");
        assertThat(members.get(ResidentJvm.ARCHIVE).mode()).isEqualTo(0100444);
        assertThat(layer.manifest()).isEqualTo(manifest);
    }

    /**
     * The resident JVM's training: the run's class directories packed into jars and its jars as they are, at
     * {@link ResidentJvm#TRAINING_JARS}, with the training file naming them, the classes and the engines; none of it
     * in the manifest (the snapshot's key). A request without classes adds nothing.
     */
    @Test
    void theTrainingAddsTheRunsClassesOutsideTheManifest() throws IOException {
        Path classes = Files.createDirectories(tmp.resolve("target/test-classes/pkg"));
        Files.write(classes.resolve("SomeTest.class"), new byte[] {(byte) 0xca, (byte) 0xfe});
        Files.writeString(classes.resolve("data.txt"), "a resource");
        Path dependency = tmp.resolve("target/dep.jar");
        Files.writeString(dependency, "jar");
        Path request = tmp.resolve("request.properties");
        Files.writeString(request, GuestLauncher.CLASSES + "=pkg.SomeTest,pkg.OtherTest\n"
                + GuestLauncher.ENGINES + "=junit-jupiter\n");
        GuestLayer layer = new GuestLayer().directory(tmp);
        String manifest = layer.manifest();

        new ResidentJvm.Training(List.of(tmp.resolve("target/test-classes"), dependency), request)
                .addTo(layer, tmp.resolve("packed"));

        Map<String, CpioReader.Member> members = members(layer);
        Properties training = new Properties();
        training.load(new java.io.StringReader(new String(members.get(relative(Path.of(ResidentJvm.TRAINING_FILE)))
                .data(), StandardCharsets.UTF_8)));
        assertThat(training.getProperty(GuestLauncher.CLASSES)).isEqualTo("pkg.SomeTest,pkg.OtherTest");
        assertThat(training.getProperty(GuestLauncher.ENGINES)).isEqualTo("junit-jupiter");
        assertThat(training.getProperty(ResidentJvm.TRAINING_CLASSPATH))
                .isEqualTo(ResidentJvm.TRAINING_JARS + "0.jar:" + ResidentJvm.TRAINING_JARS + "1.jar");
        try (var jar = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(
                members.get(relative(Path.of(ResidentJvm.TRAINING_JARS + "0.jar"))).data()))) {
            assertThat(jar.getNextEntry().getName()).as("classes only").isEqualTo("pkg/SomeTest.class");
            assertThat(jar.getNextEntry()).isNull();
        }
        assertThat(new String(members.get(relative(Path.of(ResidentJvm.TRAINING_JARS + "1.jar"))).data(),
                StandardCharsets.UTF_8)).isEqualTo("jar");
        assertThat(layer.manifest()).isEqualTo(manifest);

        Files.writeString(request, GuestLauncher.CLASSES + "=\n");
        GuestLayer empty = new GuestLayer().directory(tmp);
        new ResidentJvm.Training(List.of(tmp.resolve("target/test-classes")), request).addTo(empty, tmp.resolve("none"));
        assertThat(members(empty)).doesNotContainKey(relative(Path.of(ResidentJvm.TRAINING_FILE)));
        ResidentJvm.Training.NONE.addTo(empty, tmp.resolve("none"));
        assertThat(members(empty)).doesNotContainKey(relative(Path.of(ResidentJvm.TRAINING_FILE)));
    }

    @Test
    void theManifestChangesWithAFileAndAFileChangedWhileWritingFailsTheArchive() throws IOException {
        Path jar = tmp.resolve("a.jar");
        Files.writeString(jar, "jar");
        String before = new GuestLayer().include(jar).manifest();
        assertThat(new GuestLayer().include(jar).manifest()).isEqualTo(before);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));
        assertThat(new GuestLayer().include(jar).manifest()).isNotEqualTo(before);

        GuestLayer layer = new GuestLayer().include(jar);
        Files.writeString(jar, "a longer jar");
        assertThatThrownBy(() -> members(layer)).isInstanceOf(IOException.class)
                .hasMessageContaining(jar + " changed while the initramfs was written");
    }

    @Test
    void aDirectoryComesWholeAndAMissingPathAddsNothing() throws IOException {
        Path classes = Files.createDirectories(tmp.resolve("classes/dev/x"));
        Files.writeString(classes.resolve("A.class"), "cafe");
        GuestLayer layer = new GuestLayer().include(tmp.resolve("classes")).include(tmp.resolve("missing.jar"))
                .directory(tmp.resolve("work/dir"));

        Map<String, CpioReader.Member> members = members(layer);
        assertThat(members).containsKeys(relative(classes.resolve("A.class")), relative(tmp.resolve("work/dir")))
                .doesNotContainKey(relative(tmp.resolve("missing.jar")));
        assertThat(members.get(relative(tmp.resolve("work/dir"))).mode()).isEqualTo(0040755);
    }

    /** What the running JVM needs before the guest mounts the host: its JDK, mapped libraries, their loader. */
    @Test
    void theRunningJvmsFilesTheirSonamesAndTheirInterpreter() throws IOException {
        dev.bpfunit.sys.ProcessRoot.bindNativeCalls(); // JNA's library, unpacked under a random name, now mapped
        assertThat(Files.readString(Path.of("/proc/self/maps"))).containsPattern("jna|jnidispatch");
        Path java = GuestJava.currentJava();
        GuestLayer layer = new GuestLayer().includeJdk(Path.of(System.getProperty("java.home")))
                .includeMappedFiles(java);
        String manifest = layer.manifest();
        Path home = Path.of(System.getProperty("java.home")).toRealPath();

        assertThat(manifest).contains("f " + relative(home.resolve("lib/modules")) + " ")
                .contains("f " + relative(home.resolve("bin/java")) + " ")
                .doesNotContain(relative(home.resolve("lib/src.zip")))
                .doesNotContain(relative(home.resolve("jmods")) + "/");
        String interpreter = GuestLayer.interpreter(Files.readAllBytes(java.toRealPath())).orElseThrow();
        assertThat(Path.of(interpreter)).isAbsolute();
        // the interpreter's path resolves inside the layer, link by link, to a file the layer holds
        assertThat(manifest).contains(relative(Path.of(interpreter).toRealPath()));
        assertThat(manifest).containsPattern("(?m)^[lf] (usr/)?lib(64)?/.*libc\\.so\\.6");
        // only the JDK's and the system's files: the key must not change with each JVM's JNA file name
        assertThat(manifest.lines().filter(l -> l.startsWith("f ") || l.startsWith("b ")))
                .allMatch(l -> l.substring(2).startsWith(relative(home) + "/")
                        || l.substring(2).matches("(usr|lib|lib64|lib32|etc)/.*"), "a JDK or system file")
                .noneMatch(l -> l.contains("jnidispatch") || l.contains("jna"));
    }

    /** A file the JVM mapped outside its JDK and the system's directories (a test's native library) is the run's. */
    @Test
    void aFileMappedFromTheProjectIsNotTheJvms() throws IOException {
        Path file = Files.createDirectories(Path.of("target", "guest-layer-test").toAbsolutePath())
                .resolve("mapped.bin");
        Files.write(file, new byte[4096]);
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            var mapping = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 4096);
            assertThat(Files.readString(Path.of("/proc/self/maps"))).contains(file.toString());

            String manifest = new GuestLayer().includeMappedFiles(GuestJava.currentJava()).manifest();

            assertThat(manifest).doesNotContain(relative(file));
            assertThat(mapping.get(0)).isZero(); // still mapped while the layer was made
        }
    }

    @Test
    void theInterpreterOfAStaticProgramIsNoneAndAForeignFileIsRefused() throws IOException {
        assertThat(GuestLayer.interpreter(Files.readAllBytes(Path.of("/bin/busybox")))).isEmpty();
        assertThatThrownBy(() -> GuestLayer.interpreter("#!/bin/sh\n".repeat(10).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a 64-bit ELF file");
    }
}
