package dev.bpfunit.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.MapCreateAttr;
import dev.bpfunit.sys.SystemInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The map memory estimate: its arithmetic, its refusal, and its agreement with what the kernel charges. */
class MapMemoryTest {

    private static MapSpec map(MapType type, int key, int value, int entries, int flags) {
        return new MapSpec("m", "m", MapKind.BTF, type, key, value, entries, flags, 0, 0, 0, 0, 0, null, List.of(),
                null, false);
    }

    @Test
    void perCpuValuesCountOncePerPossibleCpu() {
        MapSpec stats = map(MapType.PERCPU_ARRAY, 4, 8, 1024, 0);

        assertThat(MapMemory.estimate(stats, 64) - MapMemory.estimate(stats, 1)).isEqualTo(63L * 1024 * 8);
    }

    @Test
    void theIssuesRunawayMapIsEstimatedWithoutOverflow() {
        // maxEntries("stats", Integer.MAX_VALUE) on a PERCPU_ARRAY ran the machine out of memory
        MapSpec stats = map(MapType.PERCPU_ARRAY, 4, 8, Integer.MAX_VALUE, 0);
        MapSpec unsigned = map(MapType.PERCPU_HASH, -1, -1, -1, 0);

        assertThat(MapMemory.estimate(stats, 2)).isGreaterThan(32L << 30);
        assertThat(MapMemory.estimate(unsigned, 4096)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aMapOverTheLimitIsRefusedWithTheEstimateAndTheSetting() {
        MapSpec stats = map(MapType.PERCPU_ARRAY, 4, 8, Integer.MAX_VALUE, 0);

        assertThatThrownBy(() -> MapMemory.check(stats, 2, 1L << 30, "the property x"))
                .isExactlyInstanceOf(BpfException.class)
                .hasMessage("map 'm' (percpu_array, key 4B, value 8B, max_entries 2147483647, 2 possible CPUs) would "
                        + "take about 48.0 GiB (51539608040 bytes) of kernel memory, over the limit of 1.0 GiB "
                        + "(1073741824 bytes): lower its max_entries, or raise the limit with the property x");
    }

    @Test
    void aPerCpuValueOverTheKernelsUnitSizeIsRefused() {
        assertThatThrownBy(() -> MapMemory.check(map(MapType.PERCPU_HASH, 4, 32 * 1024 + 1, 1, 0), 2, 1L << 30,
                "x")).hasMessage("map 'm': a per-CPU value of 32769 bytes is over the kernel's limit of 32768 bytes "
                + "(PCPU_MIN_UNIT_SIZE): make the value smaller");
    }

    @Test
    void globalDataIsBoundedBeforeAllocation() {
        MapMemory.checkGlobalData(".bss", MapMemory.MAX_GLOBAL_DATA);
        assertThatThrownBy(() -> MapMemory.checkGlobalData(".bss", 2L << 30))
                .hasMessage("section .bss declares 2147483648 bytes of global data, over bpfunit's limit of 64.0 MiB "
                        + "(67108864 bytes) for one global data map: the object is corrupt, or use a map (an array "
                        + "with max_entries) for large buffers");
    }

    @ParameterizedTest
    @CsvSource({"1073741824, 1073741824", "2g, 2147483648", "512m, 536870912", "64K, 65536", "3gb, 3221225472"})
    void sizesParse(String text, long bytes) {
        assertThat(MapMemory.parseSize(text)).isEqualTo(bytes);
    }

    @Test
    void badSizesAreRefused() {
        assertThatThrownBy(() -> MapMemory.parseSize("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'lots' is not a size");
        assertThatThrownBy(() -> MapMemory.parseSize("0")).hasMessage("'0' is not a positive size");
        assertThatThrownBy(() -> MapMemory.parseSize("99999999999g")).hasMessage("'99999999999g' is not a positive size");
    }

    @Test
    void theDefaultIsAQuarterOfRamAtMostOneGib() {
        assertThat(MapMemory.defaultLimit(24L << 30)).isEqualTo(1L << 30);
        assertThat(MapMemory.defaultLimit(2L << 30)).isEqualTo(512L << 20);
    }

    /**
     * Small maps only: the estimate is within 25% (or 4 KiB) of the {@code memlock} the kernel reports for the
     * map in {@code /proc/self/fdinfo}, which is what it charges since 6.4 ({@code map_mem_usage}).
     */
    @ParameterizedTest
    @CsvSource({"PERCPU_ARRAY, 4, 24, 64, 0", "PERCPU_ARRAY, 4, 8, 1000, 0", "ARRAY, 4, 100, 100, 0",
        "ARRAY, 4, 64, 256, 1024", "HASH, 8, 16, 128, 0", "HASH, 4, 4, 4096, 0", "PERCPU_HASH, 8, 16, 256, 0",
        "LRU_HASH, 16, 32, 512, 0"})
    void estimateMatchesWhatTheKernelCharges(MapType type, int key, int value, int entries, int flags)
            throws IOException {
        MapSpec spec = map(type, key, value, entries, flags);
        long estimate = MapMemory.estimate(spec, SystemInfo.possibleCpuCount());

        long memlock;
        try (Fd fd = Bpf.mapCreate(new MapCreateAttr().mapType(type.number()).keySize(key).valueSize(value)
                .maxEntries(entries).mapFlags(flags).mapName("bpfunit_memtest"))) {
            memlock = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.raw())).stream()
                    .filter(l -> l.startsWith("memlock:")).map(l -> Long.parseLong(l.substring(8).trim()))
                    .findFirst().orElseThrow();
        }

        assertThat(estimate).as("estimate for %s, kernel memlock %d", spec.describe(), memlock)
                .isCloseTo(memlock, within(Math.max(4096, memlock / 4)));
    }
}
