package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A malformed object reaches the user as {@link dev.bpfunit.ElfFormatException}, whichever way it is loaded, with
 * the ELF reader's message unchanged and its exception as the cause.
 */
class ElfFormatExceptionTest {

    private static byte[] counter() throws IOException {
        try (var in = ElfFormatExceptionTest.class.getResourceAsStream("/junit/counter.bpf.o")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aTruncatedObjectInMemoryIsAnElfFormatExceptionWithTheReadersMessage() throws IOException {
        byte[] truncated = Arrays.copyOf(counter(), 40);
        String readers = catchReaders(truncated);

        assertThatThrownBy(() -> BpfObject.loader(truncated, "counter.bpf.o").spec())
                .isExactlyInstanceOf(ElfFormatException.class)
                .hasMessage(readers)
                .hasMessageStartingWith("counter.bpf.o")
                .hasCauseExactlyInstanceOf(dev.bpfunit.rawelf.ElfFormatException.class);
        assertThatThrownBy(() -> BpfObject.loader(truncated, "counter.bpf.o").load())
                .isExactlyInstanceOf(ElfFormatException.class).hasMessage(readers);
    }

    @Test
    void aForeignFileOnDiskAndAMissingFileAreElfFormatExceptions(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.o"), "not an object file at all, just some text\n");
        assertThatThrownBy(() -> BpfObject.load(text)).isExactlyInstanceOf(ElfFormatException.class)
                .hasMessageContaining("notes.o");
        Path missing = dir.resolve("missing.bpf.o");
        assertThatThrownBy(() -> BpfObject.loader(missing).spec()).isExactlyInstanceOf(ElfFormatException.class)
                .hasMessageContaining("missing.bpf.o");
    }

    @Test
    void aWellFormedObjectWithAnotherProblemIsNotAnElfFormatException() throws IOException {
        assertThatThrownBy(() -> BpfObject.loader(counter(), "counter.bpf.o").maxEntries("nope", 1).spec())
                .isNotInstanceOf(ElfFormatException.class)
                .hasMessageContaining("no map 'nope'");
    }

    private static String catchReaders(byte[] bytes) {
        try {
            dev.bpfunit.elf.ObjectReader.read(bytes, "counter.bpf.o");
        } catch (dev.bpfunit.rawelf.ElfFormatException e) {
            return e.getMessage();
        }
        throw new AssertionError("the reader accepted a truncated object");
    }

}
