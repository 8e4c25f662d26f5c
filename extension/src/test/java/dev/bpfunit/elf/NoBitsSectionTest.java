package dev.bpfunit.elf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.rawelf.ElfFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Sections marked {@code SHT_NOBITS} report a size but hold no bytes: where bytes are needed (code, legacy map
 * definitions) the reader refuses them with a {@link dev.bpfunit.error.BpfException}. The reproducers are the samples'
 * callback.bpf.o and legacy_maps.bpf.o with one section's type set to SHT_NOBITS.
 */
class NoBitsSectionTest {

    private static byte[] reproducer(String name) throws IOException {
        return Files.readAllBytes(Path.of("src/test/resources/fuzz/object", name));
    }

    @Test
    void executableNoBitsSectionIsRefusedByTheElfReader() throws IOException {
        byte[] bytes = reproducer("nobits-callback-text.bin");

        assertThatThrownBy(() -> ObjectReader.read(bytes, "callback.bpf.o"))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage("callback.bpf.o: section 2 is executable (SHF_EXECINSTR) but has type SHT_NOBITS, so "
                        + "its 104 bytes of instructions are not in the file: the section table is corrupt");
    }

    @Test
    void legacyMapsSectionWithoutBytesIsRefused() throws IOException {
        byte[] bytes = reproducer("nobits-legacy-maps.bin");

        assertThatThrownBy(() -> ObjectReader.read(bytes, "legacy_maps.bpf.o"))
                .isExactlyInstanceOf(dev.bpfunit.error.BpfException.class)
                .hasMessageStartingWith("legacy_maps.bpf.o: section maps has type SHT_NOBITS: its ")
                .hasMessageEndingWith(" bytes of legacy map definitions (struct bpf_map_def) are not in the file; "
                        + "the section table is corrupt");
    }
}
