package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failures of {@link ProcessRoot#change}, which name the call, the path and the errno (its success is the guest's). */
class ProcessRootTest {

    @Test
    void aMissingRootIsNamedWithItsErrno(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-root");
        assertThatThrownBy(() -> ProcessRoot.change(missing, Path.of("/")))
                .isInstanceOf(BpfSyscallException.class)
                .hasMessageContaining("chroot").hasMessageContaining(missing.toString())
                .hasMessageContaining("ENOENT");
        assertThat(Path.of("").toAbsolutePath()).isEqualTo(Path.of(System.getProperty("user.dir")));
    }

    @Test
    void aWorkingDirectoryMissingUnderTheNewRootIsNamed(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-dir");
        // chroot("/") as root changes nothing; the working directory is then looked up and not found
        assertThatThrownBy(() -> ProcessRoot.change(Path.of("/"), missing))
                .isInstanceOf(BpfSyscallException.class)
                .hasMessageContaining("chdir").hasMessageContaining(missing.toString())
                .hasMessageContaining("ENOENT").hasMessageContaining("must exist under the new root");
    }
}
