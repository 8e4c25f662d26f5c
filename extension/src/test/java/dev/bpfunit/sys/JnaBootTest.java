package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import dev.bpfunit.cache.UserCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JnaBoot sets JNA's two properties to what JNA would use itself, without its temporary file and its ldconfig
 * process: each value is compared with JNA's own, computed in a child JVM where nobody set it, and a child JVM
 * whose first use of JNA is bpfunit's starts no process.
 */
class JnaBootTest {

    private static final Path LDCONFIG = Path.of("/sbin/ldconfig");
    /**
     * In a child's class-loading log: the JVM started a process (the pipe of its output; Java 25 loads ProcessImpl
     * itself for {@code System.getenv}, so that class's name is not the sign).
     */
    private static final String STARTED_A_PROCESS = "java.lang.ProcessImpl$ProcessPipeInputStream ";

    /** The dynamic linker's directories read from its cache are those of {@code ldconfig -p}, in its order. */
    @Test
    void theLinkersDirectoriesAreThoseLdconfigPrints() throws Exception {
        assumeTrue(Files.isExecutable(LDCONFIG) && Files.isReadable(JnaBoot.LD_SO_CACHE), "no ldconfig or its cache");
        Process p = new ProcessBuilder(LDCONFIG.toString(), "-p").redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Set<String> printed = new LinkedHashSet<>();
        for (String line : lines) {      // as JNA reads them
            int start = line.indexOf(" => ");
            int end = line.lastIndexOf('/');
            if (start != -1 && end != -1 && start < end) {
                printed.add(line.substring(start + 4, end));
            }
        }
        assertThat(printed).isNotEmpty();
        assertThat(JnaBoot.ldconfigDirectories(JnaBoot.LD_SO_CACHE)).contains(List.copyOf(printed));
    }

    /** x86-64 here, and arm64 as JNA names it (JNA's Platform told os.arch=aarch64 in the child). */
    @Test
    void thePlatformPathIsTheOneJnaComputes() throws Exception {
        assumeTrue(Platform.isLinux() && Files.isReadable(JnaBoot.LD_SO_CACHE), "not Linux with glibc's cache");
        for (String arch : List.of("amd64", "aarch64")) {
            String out = child(List.of("-Dos.arch=" + arch, "-Xlog:class+load=info"), PlatformPathMain.class,
                    JnaBoot.keptDispatchLibrary().orElseThrow().toString());
            assertThat(out).as("JNA alone starts a process (ldconfig)").contains(STARTED_A_PROCESS);
            String jnas = out.lines().filter(l -> l.startsWith("platform=")).findFirst().orElseThrow()
                    .substring("platform=".length());
            Optional<String> ours = JnaBoot.platformPath(arch.equals("amd64") ? "x86-64" : "aarch64", "64",
                    JnaBoot.LD_SO_CACHE);
            assertThat(ours).as(arch).contains(jnas);
        }
        assertThat(JnaBoot.platformPath("x86-64", "32", JnaBoot.LD_SO_CACHE)).as("32-bit JVM").isEmpty();
        assertThat(JnaBoot.platformPath("ppc64le", "64", JnaBoot.LD_SO_CACHE)).as("unknown layout").isEmpty();
    }

    @Test
    void aCacheInAnotherFormatOrTruncatedIsNotRead(@TempDir Path dir) throws IOException {
        Path old = dir.resolve("old");
        Files.write(old, "ld.so-1.7.0\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(JnaBoot.ldconfigDirectories(old)).isEmpty();
        assertThat(JnaBoot.ldconfigDirectories(dir.resolve("missing"))).isEmpty();
        assumeTrue(Files.isReadable(JnaBoot.LD_SO_CACHE), "no " + JnaBoot.LD_SO_CACHE);
        byte[] cache = Files.readAllBytes(JnaBoot.LD_SO_CACHE);
        Path truncated = dir.resolve("truncated");
        Files.write(truncated, java.util.Arrays.copyOf(cache, 60));
        assertThat(JnaBoot.ldconfigDirectories(truncated)).isEmpty();
        assertThat(JnaBoot.platformPath("x86-64", "64", truncated)).isEmpty();
    }

    /** Both layouts of glibc's cache: format 1.1 alone (glibc 2.32+) and after the old format (glibc 2.31 and older). */
    @Test
    void theNewFormatIsReadAloneOrAfterTheOldOne(@TempDir Path dir) throws IOException {
        List<String> libraries = List.of("/lib/x86_64-linux-gnu/libc.so.6", "/usr/local/lib/libfoo.so.1",
                "/lib/x86_64-linux-gnu/libm.so.6", "/libroot.so");
        Path alone = dir.resolve("alone");
        Files.write(alone, newFormat(libraries));
        assertThat(JnaBoot.ldconfigDirectories(alone))
                .contains(List.of("/lib/x86_64-linux-gnu", "/usr/local/lib"));

        ByteBuffer old = ByteBuffer.allocate(16 + 3 * 12 + 4).order(ByteOrder.nativeOrder());
        old.put("ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII)).position(12);
        old.putInt(3);    // three 12-byte entries (their strings are not read), then padding to 8 bytes
        byte[] compat = new byte[old.capacity() + newFormat(libraries).length];
        System.arraycopy(old.array(), 0, compat, 0, old.capacity());
        byte[] fresh = newFormat(libraries);
        System.arraycopy(fresh, 0, compat, old.capacity(), fresh.length);
        Path both = dir.resolve("compat");
        Files.write(both, compat);
        assertThat(JnaBoot.ldconfigDirectories(both)).isEqualTo(JnaBoot.ldconfigDirectories(alone));

        Files.write(both, java.util.Arrays.copyOf(compat, compat.length - 3));
        assertThat(JnaBoot.ldconfigDirectories(both)).as("a string cut short").isEmpty();
    }

    /** glibc's cache format 1.1: header, 24-byte entries, strings (offsets from the header's start). */
    private static byte[] newFormat(List<String> libraries) {
        byte[] strings = String.join("\0", libraries).concat("\0").getBytes(StandardCharsets.UTF_8);
        int table = 48 + 24 * libraries.size();
        ByteBuffer b = ByteBuffer.allocate(table + strings.length).order(ByteOrder.nativeOrder());
        b.put("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII)).putInt(libraries.size())
                .putInt(strings.length);
        int offset = table;
        for (int i = 0; i < libraries.size(); i++) {
            b.putInt(48 + 24 * i, 0x303).putInt(48 + 24 * i + 4, offset).putInt(48 + 24 * i + 8, offset);
            offset += libraries.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        b.put(table, strings);
        return b.array();
    }

    /** Kept once, found again (same file), written anew when it differs from the jar's library. */
    @Test
    void jnasLibraryIsKeptOnceAndCheckedAgainstTheJars(@TempDir Path dir) throws IOException {
        String before = System.getProperty(UserCache.JNA_PROPERTY);
        System.setProperty(UserCache.JNA_PROPERTY, dir.toString());
        try {
            byte[] jar = jarsLibrary();
            Path kept = JnaBoot.keptDispatchLibrary().orElseThrow();
            Path file = kept.resolve(System.mapLibraryName("jnidispatch"));
            assertThat(kept.getParent()).isEqualTo(dir);
            assertThat(Files.readAllBytes(file)).isEqualTo(jar);
            Object written = key(file);
            assertThat(JnaBoot.keptDispatchLibrary()).contains(kept);
            assertThat(key(file)).as("found, not written again").isEqualTo(written);

            byte[] other = jar.clone();
            other[other.length / 2] ^= 1;
            Path tmp = dir.resolve("other.tmp");
            Files.write(tmp, other);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            assertThat(JnaBoot.keptDispatchLibrary()).contains(kept);
            assertThat(Files.readAllBytes(file)).as("written anew").isEqualTo(jar);

            System.setProperty(UserCache.JNA_PROPERTY, "false");
            assertThat(JnaBoot.keptDispatchLibrary()).isEmpty();
        } finally {
            dev.bpfunit.TestProperties.restore(UserCache.JNA_PROPERTY, before);
        }
    }

    /**
     * In a JVM where bpfunit is the first to use JNA, JNA loads the kept library and takes the platform path
     * JnaBoot set, and works: the child makes a system call through JNA.
     */
    @Test
    void jnaStartsFromTheKeptLibraryWithThePlatformPathSet(@TempDir Path dir) throws Exception {
        String out = child(List.of("-D" + UserCache.JNA_PROPERTY + "=" + dir, "-Xlog:class+load=info"), FirstUseMain.class);
        assertThat(out).as("no process started (JNA's ldconfig)").doesNotContain(STARTED_A_PROCESS);
        Path kept = JnaBoot.keptDispatchLibrary().orElseThrow().getFileName();
        assertThat(out).containsPattern("pid=[1-9][0-9]*").contains("boot path afterwards=null")
                .contains("jnidispatch.path=" + dir.resolve(kept).resolve(System.mapLibraryName("jnidispatch")));
        if (Platform.isLinux() && Files.isReadable(JnaBoot.LD_SO_CACHE)) {
            assertThat(out).contains("platform=" + JnaBoot.platformPath(Platform.ARCH,
                    System.getProperty("sun.arch.data.model"), JnaBoot.LD_SO_CACHE).orElseThrow());
        }
    }

    private static byte[] jarsLibrary() throws IOException {
        String resource = "com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("jnidispatch");
        try (InputStream in = Platform.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }

    private static Object key(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    private static String child(List<String> options, Class<?> main, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Child JVM: JNA alone computes its platform path (JNA's library from the parent's kept copy). */
    public static final class PlatformPathMain {
        public static void main(String[] args) throws IOException {
            // os.arch may name another architecture here: load this machine's library, kept by the parent
            System.setProperty(JnaBoot.BOOT_PATH, args[0]);
            NativeLibrary.getProcess();
            System.out.println("platform=" + System.getProperty(JnaBoot.PLATFORM_PATH));
        }
    }

    /** Child JVM: bpfunit's first system call, then what JNA was started with. */
    public static final class FirstUseMain {
        public static void main(String[] args) {
            System.out.println("pid=" + Libc.getpid());
            System.out.println("jnidispatch.path=" + System.getProperty("jnidispatch.path"));
            System.out.println("platform=" + System.getProperty(JnaBoot.PLATFORM_PATH));
            System.out.println("boot path afterwards=" + System.getProperty(JnaBoot.BOOT_PATH));
        }
    }
}
