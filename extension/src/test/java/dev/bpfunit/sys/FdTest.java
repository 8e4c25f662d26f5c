package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FdTest {

    /**
     * A descriptor of a file of this test's own. Whether a number is still open is asked of /proc/self/fd: other
     * threads of the JVM may reuse a closed number at once, but not for one of these files.
     */
    private static Fd markerFd(String description) {
        try {
            java.nio.file.Path marker = java.nio.file.Files.createTempFile("bpfunit-fdtest-", ".marker");
            marker.toFile().deleteOnExit();
            int raw = Libc.open(marker.toString(), 0x80000 /* O_RDONLY | O_CLOEXEC */);
            assertThat(raw).as("open %s", marker).isGreaterThanOrEqualTo(0);
            return Fd.adopt(raw, description);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean isOpen(int raw) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + raw)).getFileName()
                    .toString().startsWith("bpfunit-fdtest-");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void closeIsIdempotentAndClosesTheDescriptor() {
        Fd fd = markerFd("map 'blocklist'");
        int raw = fd.raw();
        assertThat(isOpen(raw)).isTrue();
        assertThat(fd.toString()).isEqualTo("map 'blocklist' (fd " + raw + ")");
        fd.close();
        assertThat(fd.isClosed()).isTrue();
        assertThat(isOpen(raw)).isFalse();
        fd.close();
        assertThat(fd.toString()).isEqualTo("map 'blocklist' (closed)");
        assertThatThrownBy(fd::raw).isInstanceOf(BpfException.class).hasMessage("map 'blocklist' is closed (fd "
                + raw + " was given back to the kernel, or is being: was it closed by another thread while in use?)");
    }

    @Test
    void closeDuringAUseMarksItClosedAndGivesTheNumberBackAfterTheUse() {
        Fd fd = markerFd("map 'stats'");
        int raw = fd.raw();
        Fd.Use use = fd.use();

        fd.close();

        assertThat(fd.isClosed()).isTrue();
        assertThatThrownBy(fd::use).isInstanceOf(BpfException.class).hasMessageStartingWith("map 'stats' is closed");
        assertThat(isOpen(raw)).as("the number while a call still uses it").isTrue();
        use.close();
        assertThat(isOpen(raw)).as("the number after the last use").isFalse();
        use.close();
    }

    @Test
    void concurrentClosesCloseOnce() throws Exception {
        for (int round = 0; round < 20; round++) {
            Fd fd = markerFd("racy");
            int raw = fd.raw();
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger errors = new AtomicInteger();
            Thread[] threads = new Thread[4];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    try {
                        start.await();
                        fd.close();
                    } catch (Throwable t) {
                        errors.incrementAndGet();
                    }
                });
                threads[i].start();
            }
            start.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertThat(errors).hasValue(0);
            assertThat(fd.isClosed()).isTrue();
            assertThat(isOpen(raw)).isFalse();
        }
    }

    @Test
    void eachThreadSeesOnlyTheFdsItMadeWhereverTheyAreClosed() throws Exception {
        int before = Fd.openedByThisThread();
        Fd mine = markerFd("map 'mine'");
        assertThat(Fd.openedByThisThread()).isEqualTo(before + 1);
        assertThat(Fd.openByThisThread()).contains("map 'mine' (fd " + mine.raw() + ")");
        // another thread's fds, open or closed, do not count here; this thread's fd closed there does
        Fd[] theirs = new Fd[1];
        int[] seenThere = new int[2];
        Thread other = new Thread(() -> {
            seenThere[0] = Fd.openedByThisThread();
            theirs[0] = markerFd("map 'theirs'");
            seenThere[1] = Fd.openedByThisThread();
            mine.close();
        });
        other.start();
        other.join();
        assertThat(seenThere).containsExactly(0, 1);
        assertThat(Fd.openedByThisThread()).isEqualTo(before);
        assertThat(Fd.openByThisThread()).noneMatch(d -> d.startsWith("map 'mine'") || d.startsWith("map 'theirs'"));
        theirs[0].close();
    }

    @Test
    void dupGivesAnIndependentDescriptor() {
        Fd fd = markerFd("program 'xdp_fw'");
        try (Fd copy = fd.dup("program 'xdp_fw' (copy)")) {
            assertThat(copy.raw()).isNotEqualTo(fd.raw()).isPositive();
            assertThat(copy.description()).isEqualTo("program 'xdp_fw' (copy)");
            assertThat(Libc.fcntl(copy.raw(), Libc.F_GETFD, 0) & 1).as("FD_CLOEXEC").isEqualTo(1);
            fd.close();
            assertThat(isOpen(copy.raw())).isTrue();
        } finally {
            fd.close();
        }
    }

    @Test
    void adoptRejectsNegativeNumbers() {
        assertThatThrownBy(() -> Fd.adopt(-1, "map 'x'")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("map 'x'").hasMessageContaining("negative");
    }

    @Test
    void dupOfABadDescriptorNamesItAndTheErrno() {
        // A number no descriptor can have (above any RLIMIT_NOFILE). Closing a real one behind the Fd's back raced
        // with the JVM's other threads: one took the freed number before the test could take it back (CI, once).
        int bad = Integer.MAX_VALUE;
        Fd fd = Fd.adopt(bad, "BTF of x.bpf.o");
        assertThatThrownBy(() -> fd.dup("copy")).isInstanceOf(BpfSyscallException.class)
                .hasMessage("fcntl(F_DUPFD_CLOEXEC) BTF of x.bpf.o (fd " + bad + "): EBADF (Bad file descriptor): "
                        + "the file descriptor is closed");
        fd.close();
        assertThat(fd.isClosed()).isTrue();
    }

    /**
     * Fd 0 belongs to the JVM (and to surefire's command channel), so the real adopt(0) path runs in
     * a child JVM whose stdin is a pipe: {@link AdoptZeroMain} adopts 0 and reports what it got.
     */
    @Test
    void adoptOfZeroMovesItAboveZeroAndClosesZero() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + NativeCalls.PROPERTY + "=" + System.getProperty(NativeCalls.PROPERTY, ""),
                "-cp", System.getProperty("java.class.path"), AdoptZeroMain.class.getName()))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("moved=true").contains("fd0-still-stdin=false").contains("described=stdin (fd ");
        int raw = Integer.parseInt(out.replaceAll("(?s).*raw=(\\d+).*", "$1"));
        assertThat(raw).isPositive();
    }

    /** Child JVM entry point for {@link #adoptOfZeroMovesItAboveZeroAndClosesZero}. */
    public static final class AdoptZeroMain {
        public static void main(String[] args) throws IOException {
            // What fd 0 is (here: a pipe from the parent), by its /proc link, e.g. "pipe:[123]".
            String stdin = link(0);
            Fd fd = Fd.adopt(0, "stdin");
            // The JVM may reuse the freed number 0 for a file of its own at once, so compare
            // identities rather than asking whether 0 is open.
            System.out.println("raw=" + fd.raw() + " moved=" + stdin.equals(link(fd.raw())) + " fd0-still-stdin="
                    + stdin.equals(link(0)) + " described=" + fd);
            fd.close();
        }

        private static String link(int fd) {
            try {
                return java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            } catch (IOException e) {
                return "closed";
            }
        }
    }
}
