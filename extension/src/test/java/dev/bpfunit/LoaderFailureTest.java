package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.spec.ProgramType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a failed load leaves behind (nothing, whatever was thrown) and how it names the object. */
class LoaderFailureTest {

    static BpfObjectLoader counter() {
        try (InputStream in = LoaderFailureTest.class.getResourceAsStream("/junit/counter.bpf.o")) {
            return BpfObject.loader(in.readAllBytes(), "counter.bpf.o");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void noHook() {
        BpfObjectLoader.OPENED_HOOK.remove();
    }

    @Test
    void anErrorDuringLoadStillClosesWhatWasOpened() {
        List<AutoCloseable> opened = new ArrayList<>();
        BpfObjectLoader.OPENED_HOOK.set(resource -> {
            opened.add(resource);
            if (resource instanceof BpfProgram) {
                throw new OutOfMemoryError("simulated: copying a verifier log");
            }
        });
        assertThatThrownBy(() -> counter().load()).isInstanceOf(OutOfMemoryError.class)
                .hasMessage("simulated: copying a verifier log");
        assertThat(opened).hasAtLeastOneElementOfType(BpfMap.class).hasAtLeastOneElementOfType(BpfProgram.class);
        for (AutoCloseable r : opened) {
            if (r instanceof BpfMap m) {
                assertThat(m.fd().isClosed()).as("map %s closed", m.name()).isTrue();
            } else if (r instanceof BpfProgram p) {
                assertThat(p.fd().isClosed()).as("program %s closed", p.name()).isTrue();
            } else if (r instanceof dev.bpfunit.sys.Fd fd) {
                assertThat(fd.isClosed()).as("BTF fd closed").isTrue();
            }
        }
    }

    @Test
    void aLoadFailureNamesTheObjectOnceThroughItsType() {
        BpfObjectLoader loader = counter().programType("count_packets", ProgramType.UNSPEC);
        assertThatThrownBy(loader::load).isInstanceOfSatisfying(ObjectLoadException.class, e -> {
            assertThat(e.objectName()).isEqualTo("counter.bpf.o");
            assertThat(e.getMessage()).startsWith("object counter.bpf.o: program 'count_packets'")
                    .containsOnlyOnce("object counter.bpf.o");
        });
    }

    @Test
    void theObjectIsParsedOncePerLoader() {
        BpfObjectLoader loader = counter();
        assertThat(loader.spec().btf()).isSameAs(loader.spec().btf());
        try (BpfObject obj = loader.load()) {
            assertThat(obj.spec().btf()).isSameAs(loader.spec().btf());
        }
    }

    @Test
    void logSizeIsCheckedWhenItIsSet() {
        assertThatThrownBy(() -> counter().logSize(1 << 30)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("128 to 1073741823 bytes");
        assertThatThrownBy(() -> counter().logSize(64)).isInstanceOf(IllegalArgumentException.class);
        counter().logSize(1 << 29);
    }
}
