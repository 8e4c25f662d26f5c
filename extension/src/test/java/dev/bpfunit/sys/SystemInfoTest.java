package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SystemInfoTest {

    @Test
    void parsesCpuLists() {
        assertThat(SystemInfo.parseCpuList("0-3,5")).containsExactly(0, 1, 2, 3, 5);
        assertThat(SystemInfo.parseCpuList("0")).containsExactly(0);
        assertThat(SystemInfo.parseCpuList("0-1,4-5\n".trim())).containsExactly(0, 1, 4, 5);
        assertThatThrownBy(() -> SystemInfo.parseCpuList("3-1")).isInstanceOf(BpfException.class)
                .hasMessageContaining("'3-1'");
        assertThatThrownBy(() -> SystemInfo.parseCpuList("")).isInstanceOf(BpfException.class);
    }

    @Test
    void possibleCpusMatchSysfs() throws IOException {
        String list = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
        assertThat(SystemInfo.possibleCpus()).containsExactly(SystemInfo.parseCpuList(list));
        assertThat(SystemInfo.possibleCpuCount()).isEqualTo(SystemInfo.parseCpuList(list).length).isPositive();
    }

    @Test
    void versionCodeIsLibbpfsKernelVersion() {
        assertThat(SystemInfo.versionCode("6.18.44-fc-v782")).isEqualTo((6 << 16) + (18 << 8) + 44);
        assertThat(SystemInfo.versionCode("4.19.300-generic")).isEqualTo((4 << 16) + (19 << 8) + 255);
        assertThat(SystemInfo.versionCode("6.1")).isEqualTo((6 << 16) + (1 << 8));
        assertThatThrownBy(() -> SystemInfo.versionCode("unknown")).isInstanceOf(BpfException.class);
    }

    @Test
    void kernelReleaseIsUnames() throws IOException {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        assertThat(SystemInfo.kernelRelease()).isEqualTo(release);
        assertThat(SystemInfo.kernelVersionCode()).isEqualTo(SystemInfo.versionCode(release));
    }

    @Test
    void readsEffectiveCapabilities() {
        String status = "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\nCapBnd:\t0\n";
        assertThat(SystemInfo.effectiveCaps(status)).isEqualTo(0x1ffffffffffL);
        assertThatThrownBy(() -> SystemInfo.effectiveCaps("Name:\tx\n")).isInstanceOf(BpfException.class);
    }

    @Test
    void hasCapBpfFollowsCapEff() throws IOException {
        long caps = SystemInfo.effectiveCaps(Files.readString(Path.of("/proc/self/status")));
        boolean expected = (caps & (1L << 39)) != 0 || (caps & (1L << 21)) != 0;
        assertThat(SystemInfo.hasCapBpf()).isEqualTo(expected);
    }
}
