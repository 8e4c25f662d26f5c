package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which binding of the native calls a runtime gets (FFM on Java 22+, JNA before, {@code bpfunit.native} forcing
 * either), and that every binding this runtime can have makes the calls and reports errno the same way.
 */
class NativeCallsTest {
    private static final int FEATURE = Runtime.version().feature();
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int EBADF = 9;
    private static final int EINVAL = 22;

    /** What this JVM was asked for: the property as the build passed it, or unset. */
    private static String forced() {
        return System.getProperty(NativeCalls.PROPERTY, "").trim();
    }

    @Test
    void thisRuntimeUsesFfmFromJava22AndJnaBefore() {
        String expected = forced().isEmpty() ? (FEATURE >= NativeCalls.FFM_RELEASE ? "ffm" : "jna") : forced();
        assertThat(NativeCalls.INSTANCE.name()).as("binding on Java %d with %s='%s'", FEATURE, NativeCalls.PROPERTY,
                forced()).isEqualTo(expected);
    }

    @Test
    void jnaCanAlwaysBeForced() {
        assertThat(NativeCalls.select("jna", FEATURE).name()).isEqualTo("jna");
        assertThat(NativeCalls.select(" JNA ", 17).name()).isEqualTo("jna");
    }

    @Test
    void beforeJava22TheDefaultIsJna() {
        assertThat(NativeCalls.select("", 17).name()).isEqualTo("jna");
        assertThat(NativeCalls.select("", 21).name()).isEqualTo("jna");
    }

    @Test
    void onJava22AndLaterTheDefaultIsFfmWhereTheVersionedClassesAreOnTheClassPath() {
        // on Java 17-21 the class in META-INF/versions/22 is not on the class path: JNA, with a warning
        assertThat(NativeCalls.select("", 22).name()).isEqualTo(FEATURE >= NativeCalls.FFM_RELEASE ? "ffm" : "jna");
    }

    @Test
    void ffmForcedBeforeJava22FailsEveryCallSayingWhatToDo() {
        NativeCalls calls = NativeCalls.select("ffm", 17);
        assertThatThrownBy(() -> calls.close(-1)).isInstanceOf(BpfException.class)
                .hasMessageContaining("bpfunit.native=ffm needs Java 22 or later")
                .hasMessageContaining("this JVM is Java 17")
                .hasMessageContaining("bpfunit.native=jna");
    }

    @Test
    void anUnknownValueFailsEveryCallNamingTheValidOnes() {
        NativeCalls calls = NativeCalls.select("panama", FEATURE);
        assertThatThrownBy(() -> calls.syscall(0, 0, 0, 0)).isInstanceOf(BpfException.class)
                .hasMessage("unknown bpfunit.native 'panama': use jna or ffm, or leave it unset (ffm on Java 22+, "
                        + "jna before)");
    }

    /** Every binding this runtime has: JNA always, FFM on Java 22+. */
    static Stream<NativeCalls> bindings() {
        List<NativeCalls> all = new ArrayList<>(List.of(NativeCalls.select("jna", FEATURE)));
        if (FEATURE >= NativeCalls.FFM_RELEASE) {
            all.add(NativeCalls.select("ffm", FEATURE));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void errnoComesBackNegated(NativeCalls calls) {
        assertThat(calls.name()).isIn("jna", "ffm");
        assertThat(calls.close(-1)).isEqualTo(-EBADF);
        assertThat(calls.fcntl(-1, Libc.F_GETFD, 0)).isEqualTo(-EBADF);
        assertThat(calls.ioctl(-1, 0, 0)).isEqualTo(-EBADF);
        // bpf(2) with a command number no kernel has
        assertThat(calls.syscall(Libc.bpfSyscallNumber(), 0x7fff, 0, 0)).isEqualTo(-EINVAL);
        assertThat(calls.mmap(4096, Libc.PROT_READ, MAP_PRIVATE, -1, 0)).as("mmap of fd -1 without MAP_ANONYMOUS")
                .isEqualTo(-EBADF);
        assertThat(calls.munmap(1, 4096)).as("munmap of an unaligned address").isEqualTo(-EINVAL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindings")
    void successfulCallsReturnTheirResult(NativeCalls calls) throws IOException {
        Path file = Files.createTempFile("bpfunit-native-", ".tmp");
        try {
            int fd = Libc.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            assertThat(calls.fcntl(fd, Libc.F_GETFD, 0)).as("FD_CLOEXEC").isEqualTo(1);
            int copy = calls.fcntl(fd, Libc.F_DUPFD_CLOEXEC, 100);
            assertThat(copy).isGreaterThanOrEqualTo(100);
            assertThat(calls.close(copy)).isZero();
            assertThat(calls.close(fd)).isZero();
            assertThat(calls.close(fd)).as("closed twice").isEqualTo(-EBADF);
        } finally {
            Files.delete(file);
        }
        long address = calls.mmap(8192, Libc.PROT_READ | Libc.PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(address).isPositive();
        assertThat(address % SystemInfo.pageSize()).isZero();
        assertThat(calls.munmap(address, 8192)).isZero();
        // perf_event_open with a NULL attr: EFAULT (14), through the five-argument syscall
        assertThat(calls.syscall(Libc.perfEventOpenSyscallNumber(), 0, -1, 0, -1, 0)).isEqualTo(-14);
    }
}
