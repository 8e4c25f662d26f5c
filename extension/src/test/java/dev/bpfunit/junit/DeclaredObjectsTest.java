package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ObjectSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DeclaredObjects finds a class's objects as the extension does and parses them without a kernel. */
class DeclaredObjectsTest {

    @BpfTest("junit/counter.bpf.o")
    static class OnTheClassAndAMethod {
        @BpfTest(value = "elf/xdp_fw", objects = "junit/counter.bpf.o")
        void aTest() {
        }

        @Nested
        @BpfTest("elf/alu.bpf.o")
        class Inner {
        }

        @BpfTest("elf/alu.bpf.o")
        static class StaticMember {
        }
    }

    @BpfTest("fw.bpf.o")
    static class InTheObjectsDirectory {
    }

    @BpfTest("junit/missing.bpf.o")
    static class Missing {
    }

    @BpfTest("junit/counter.bpf.c")
    static class NotAnObject {
    }

    @Test
    void theClassesObjectsThenItsMethodsAreParsedOnceEach() {
        Map<String, ObjectSpec> parsed = DeclaredObjects.parse(OnTheClassAndAMethod.class, k -> Optional.empty());

        assertThat(parsed).containsOnlyKeys("junit/counter.bpf.o", "elf/xdp_fw");
        assertThat(parsed.keySet()).containsExactly("junit/counter.bpf.o", "elf/xdp_fw");
        assertThat(parsed.get("elf/xdp_fw").programs()).isNotEmpty();
        // a @Nested class runs in its enclosing class's context (whose @BpfTest applies, not its methods'); a
        // static member class is a test class of its own
        assertThat(DeclaredObjects.parse(OnTheClassAndAMethod.Inner.class, k -> Optional.empty()).keySet())
                .containsExactly("elf/alu.bpf.o", "junit/counter.bpf.o");
        assertThat(DeclaredObjects.parse(OnTheClassAndAMethod.StaticMember.class, k -> Optional.empty()).keySet())
                .containsExactly("elf/alu.bpf.o");
    }

    @Test
    void theObjectsDirectoryComesFromTheConfigurationParameter(@TempDir Path dir) throws Exception {
        Files.copy(Path.of(getClass().getResource("/elf/xdp_fw.bpf.o").toURI()), dir.resolve("fw.bpf.o"));

        Map<String, ObjectSpec> parsed = DeclaredObjects.parse(InTheObjectsDirectory.class,
                k -> k.equals(BpfTest.OBJECTS_DIR) ? Optional.of(dir.toString()) : Optional.empty());

        assertThat(parsed.get("fw.bpf.o").programs()).isNotEmpty();
    }

    @Test
    void aMissingOrUnreadableObjectIsNamedWithTheFix() {
        assertThatThrownBy(() -> DeclaredObjects.parse(Missing.class, k -> Optional.empty()))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("@BpfTest on " + Missing.class.getName())
                .hasMessageContaining("no BPF object 'junit/missing.bpf.o'")
                .hasMessageContaining("put the object in src/test/resources");
        assertThatThrownBy(() -> DeclaredObjects.parse(NotAnObject.class, k -> Optional.empty()))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("classpath resource junit/counter.bpf.c is not a BPF object bpfunit can read");
    }
}
