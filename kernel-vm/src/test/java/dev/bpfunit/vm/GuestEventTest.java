package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The guest's event lines and the container's mounts, without a guest. */
class GuestEventTest {

    @Test
    void fieldsWithTabsBreaksAndBackslashesSurviveOneLine() {
        GuestEvent event = GuestEvent.skipped("[engine:x]/[method:a\\b]", "line 1\nline\t2\r\\n");
        String line = event.encode();

        assertThat(line).doesNotContain("\n").doesNotContain("\r").startsWith("SKIPPED\t");
        assertThat(line.split("\t")).hasSize(3);
        assertThat(GuestEvent.decode(line)).isEqualTo(event);
    }

    @Test
    void aFailureComesBackAsTheSameException() {
        AssertionFailedError error = new AssertionFailedError("counted", 2, 3);
        GuestEvent event = GuestEvent.decode(GuestEvent.finished("id", "FAILED", Optional.of(error)).encode());

        assertThat(GuestEvent.deserialize(event.field(2))).get().isInstanceOfSatisfying(AssertionFailedError.class,
                e -> {
                    assertThat(e.getExpected().getValue()).isEqualTo(2);
                    assertThat(e.getActual().getValue()).isEqualTo(3);
                    assertThat(e.getStackTrace()).isEqualTo(error.getStackTrace());
                });
        assertThat(event.field(3)).startsWith("org.opentest4j.AssertionFailedError: counted").contains("\tat ");
    }

    @Test
    void anUnserializableThrowableKeepsItsText() {
        class Holder extends RuntimeException {
            final transient Object ok = new Object();
            final Thread notSerializable = Thread.currentThread();

            Holder() {
                super("holds a thread");
            }
        }
        GuestEvent event = GuestEvent.finished("id", "FAILED", Optional.of(new Holder()));

        assertThat(event.field(2)).isEmpty();
        assertThat(event.field(3)).contains("holds a thread");
        assertThat(new GuestThrowable(event.field(3))).hasMessageStartingWith("in the guest: ")
                .hasMessageContaining("holds a thread");
    }

    @Test
    void reportEntriesKeepTheirOrderAndShortLinesAreNamed() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("verifier-log", "0: (b7) r0 = 0\n1: (95) exit");
        values.put("stdout", "x");
        GuestEvent event = GuestEvent.decode(GuestEvent.reported("id", values).encode());

        assertThat(event.fields()).containsExactly("id", "verifier-log", "0: (b7) r0 = 0\n1: (95) exit", "stdout", "x");
        assertThatThrownBy(() -> event.field(9)).isInstanceOf(VmException.class)
                .hasMessageContaining("REPORTED has 5 fields, field 9 is missing");
        assertThatThrownBy(() -> GuestEvent.decode("BOGUS\tx")).isInstanceOf(VmException.class)
                .hasMessageContaining("does not start with an event kind");
    }

    @Test
    void theContainerMountsTheRepositoryAndTheProjectRoot(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve(".m2/repository");
        Path jar = java.nio.file.Files.createDirectories(repo.resolve("org/x/1")).resolve("x-1.jar");
        java.nio.file.Files.writeString(jar, "");
        Path moduleJar = java.nio.file.Files.createDirectories(tmp.resolve("proj/extension/target")).resolve("b.jar");
        java.nio.file.Files.writeString(moduleJar, "");
        Path testClasses = java.nio.file.Files.createDirectories(tmp.resolve("proj/samples/target/test-classes"));

        List<Path> roots = HostClasspath.mountRoots(List.of(jar.toString(), moduleJar.toString(), testClasses.toString(),
                "/usr/share/java/y.jar"), tmp.resolve("proj/samples"));

        assertThat(roots).containsExactly(repo, tmp.resolve("proj"));
    }

    @Test
    void theWholeMavenBuildIsMountedWhenSiblingModulesComeAsJars(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path repo = tmp.resolve(".m2/repository");
        Path jar = java.nio.file.Files.createDirectories(repo.resolve("dev/bpfunit/1")).resolve("bpfunit-1.jar");
        java.nio.file.Files.writeString(jar, "");
        java.nio.file.Files.createDirectories(tmp.resolve("proj/samples/target/test-classes"));
        java.nio.file.Files.writeString(tmp.resolve("proj/pom.xml"), "<project/>");
        java.nio.file.Files.writeString(tmp.resolve("proj/samples/pom.xml"), "<project/>");

        List<Path> roots = HostClasspath.mountRoots(List.of(jar.toString(),
                tmp.resolve("proj/samples/target/test-classes").toString()), tmp.resolve("proj/samples"));

        assertThat(roots).containsExactly(repo, tmp.resolve("proj"));
    }
}
