package dev.bpfunit.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserCacheTest {

    @Test
    void aKeptFileIsWholeAndNoTemporaryFileStays(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a/b/kept.bin");
        assertThat(UserCache.keep(file, new byte[] {1, 2, 3})).isTrue();
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(UserCache.keep(file, new byte[] {4})).isTrue();
        assertThat(Files.readAllBytes(file)).containsExactly(4);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        Files.writeString(dir.resolve("plain"), "a file, not a directory");
        assertThat(UserCache.keep(dir.resolve("plain/kept.bin"), new byte[1])).as("under a file").isFalse();
        assertThat(UserCache.writable(dir.resolve("plain/sub"))).isFalse();
        assertThat(UserCache.writable(dir.resolve("not/yet/there"))).as("its nearest existing parent").isTrue();
    }

    /** Each cache a guest shares is named by its property; a cache turned off is not shared. */
    @Test
    void theCachesSharedWithGuestsAreThoseTurnedOn(@TempDir Path dir) {
        String btf = System.getProperty(UserCache.BTF_PROPERTY);
        String jna = System.getProperty(UserCache.JNA_PROPERTY);
        try {
            System.setProperty(UserCache.BTF_PROPERTY, dir.resolve("btf").toString());
            System.setProperty(UserCache.JNA_PROPERTY, "false");
            assertThat(UserCache.sharedWithGuests()).isEqualTo(Map.of(UserCache.BTF_PROPERTY, dir.resolve("btf")));
            assertThat(dir.resolve("btf")).isDirectory();
            System.setProperty(UserCache.JNA_PROPERTY, " TRUE ");
            assertThat(UserCache.jna()).isEqualTo(UserCache.root().map(r -> r.resolve("jna")));
        } finally {
            dev.bpfunit.TestProperties.restore(UserCache.BTF_PROPERTY, btf);
            dev.bpfunit.TestProperties.restore(UserCache.JNA_PROPERTY, jna);
        }
    }
}
