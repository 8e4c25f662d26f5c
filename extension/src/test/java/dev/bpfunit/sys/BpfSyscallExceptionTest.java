package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.error.BpfException;
import org.junit.jupiter.api.Test;

class BpfSyscallExceptionTest {

    @Test
    void messageNamesCommandSubjectErrnoAndHint() {
        BpfSyscallException e = new BpfSyscallException(BpfCommand.BPF_MAP_UPDATE_ELEM, 7, "map 'blocklist' (fd 7)",
                "map is full");
        assertThat(e).isInstanceOf(BpfException.class)
                .hasMessage("BPF_MAP_UPDATE_ELEM map 'blocklist' (fd 7): E2BIG (Argument list too long): map is full");
        assertThat(e.command()).isEqualTo(BpfCommand.BPF_MAP_UPDATE_ELEM);
        assertThat(e.operation()).isEqualTo("BPF_MAP_UPDATE_ELEM");
        assertThat(e.errno()).isEqualTo(Errno.E2BIG);
        assertThat(e.errnoNumber()).isEqualTo(7);
        assertThat(e.subject()).isEqualTo("map 'blocklist' (fd 7)");
        assertThat(e.hint()).isEqualTo("map is full");
    }

    @Test
    void emptyHintAndSubjectLeaveNoDanglingSeparators() {
        assertThat(new BpfSyscallException(BpfCommand.BPF_PROG_LOAD, 524, "", ""))
                .hasMessage("BPF_PROG_LOAD: ENOTSUPP (Operation is not supported (kernel-internal ENOTSUPP))");
    }

    @Test
    void unknownErrnoKeepsItsNumber() {
        BpfSyscallException e = new BpfSyscallException(BpfCommand.BPF_MAP_CREATE, 999, "map 'm'", null);
        assertThat(e).hasMessage("BPF_MAP_CREATE map 'm': errno 999 (Unknown error)");
        assertThat(e.errno()).isEqualTo(Errno.UNKNOWN);
        assertThat(e.errnoNumber()).isEqualTo(999);
        assertThat(e.hint()).isEmpty();
    }

    @Test
    void otherSyscallsHaveNoCommand() {
        BpfSyscallException e = new BpfSyscallException("mmap", 22, "map 'g' (fd 3)", "not mmap-able");
        assertThat(e.command()).isNull();
        assertThat(e.operation()).isEqualTo("mmap");
        assertThat(e).hasMessage("mmap map 'g' (fd 3): EINVAL (Invalid argument): not mmap-able");
    }

    @Test
    void hintsCoverTheCommonFailures() {
        MapInfo hash = new MapInfo(BpfConstants.BPF_MAP_TYPE_HASH, 1, 4, 4, 1024, 0, "blocklist", 0, 0, 0, 0, 0);
        assertThat(Hints.forBpf(BpfCommand.BPF_MAP_UPDATE_ELEM, 7, hash)).isEqualTo("map is full (max_entries 1024)");
        assertThat(Hints.forBpf(BpfCommand.BPF_MAP_UPDATE_ELEM, 7, null)).contains("map is full");
        assertThat(Hints.forBpf(BpfCommand.BPF_PROG_LOAD, 28, null)).startsWith("log buffer too small");
        assertThat(Hints.forBpf(BpfCommand.BPF_BTF_LOAD, 28, null)).startsWith("log buffer too small");
        assertThat(Hints.forBpf(BpfCommand.BPF_MAP_CREATE, 22, null))
                .startsWith("the kernel rejected the map definition");
        assertThat(Hints.forBpf(BpfCommand.BPF_PROG_TEST_RUN, 524, null)).contains("not supported for this program");
        assertThat(Hints.forBpf(BpfCommand.BPF_MAP_LOOKUP_BATCH, 95, null)).isEqualTo(Hints.UNSUPPORTED);
        assertThat(Hints.forBpf(BpfCommand.BPF_MAP_LOOKUP_ELEM, 9, null)).contains("closed");
        if (SystemInfo.hasCapBpf()) {
            assertThat(Hints.forBpf(BpfCommand.BPF_PROG_LOAD, 1, null))
                    .startsWith("refused although this process has CAP_BPF/CAP_SYS_ADMIN");
            assertThat(Hints.forBpf(BpfCommand.BPF_OBJ_PIN, 1, null)).contains("mount -t bpf bpf /sys/fs/bpf");
        } else {
            assertThat(Hints.forBpf(BpfCommand.BPF_PROG_LOAD, 1, null)).isEqualTo(Hints.NEEDS_PRIVILEGE);
            assertThat(Hints.forBpf(BpfCommand.BPF_MAP_UPDATE_ELEM, 1, null)).isEqualTo(Hints.NEEDS_PRIVILEGE);
        }
        assertThat(Hints.NEEDS_PRIVILEGE).startsWith("needs root or CAP_BPF (CAP_NET_ADMIN/CAP_PERFMON");
    }
}
