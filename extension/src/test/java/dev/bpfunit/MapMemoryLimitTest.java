package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfSection;
import dev.bpfunit.spec.MapMemory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Sizes from an object or a test are bounded before anything is allocated: a map past the memory limit is refused
 * before BPF_MAP_CREATE (no huge map is ever asked of the kernel here), and a {@code .bss} claiming more than a
 * global data map may hold is refused by the reader.
 */
@Isolated("sets the system property bpfunit.map.memory.limit, which every load in the JVM reads")
class MapMemoryLimitTest {

    private static byte[] xdpFw() throws IOException {
        try (InputStream in = MapMemoryLimitTest.class.getResourceAsStream("/elf/xdp_fw.bpf.o")) {
            return in.readAllBytes();
        }
    }

    @Test
    void maxEntriesPastTheLimitFailsTheLoadBeforeTheMapIsCreated() throws IOException {
        BpfObjectLoader loader = BpfObject.loader(xdpFw(), "xdp_fw.bpf.o").maxEntries("stats", Integer.MAX_VALUE);

        assertThatThrownBy(loader::load)
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("map 'stats' (array, key 4B, value 8B, max_entries 2147483647) would take about "
                        + "16.0 GiB (17179869688 bytes) of kernel memory, over the limit of ")
                .hasMessageContaining("raise the limit with BpfObject.loader(path).mapMemoryLimit(bytes), the system "
                        + "property or JUnit configuration parameter bpfunit.map.memory.limit=2g");
    }

    @Test
    void theLoaderOptionSetsTheLimit() throws IOException {
        byte[] bytes = xdpFw();
        // blocklist: a hash of 1024 entries, some 100 KiB; stats and the data maps are smaller
        assertThatThrownBy(() -> BpfObject.loader(bytes, "xdp_fw.bpf.o").mapMemoryLimit(16 * 1024).load())
                .hasMessageContaining("map 'blocklist' (hash, key 4B, value 8B, max_entries 1024) would take about ")
                .hasMessageContaining("over the limit of 16.0 KiB (16384 bytes)");
        try (BpfObject obj = BpfObject.loader(bytes, "xdp_fw.bpf.o").mapMemoryLimit(1L << 20).load()) {
            assertThat(obj.map("blocklist")).isNotNull();
        }
    }

    @Test
    void theSystemPropertySetsTheDefault() throws IOException {
        byte[] bytes = xdpFw();
        String before = System.getProperty(MapMemory.LIMIT_PROPERTY);
        System.setProperty(MapMemory.LIMIT_PROPERTY, "16k");
        try {
            assertThatThrownBy(() -> BpfObject.loader(bytes, "xdp_fw.bpf.o").load())
                    .hasMessageContaining("over the limit of 16.0 KiB (16384 bytes)");
        } finally {
            if (before == null) {
                System.clearProperty(MapMemory.LIMIT_PROPERTY);
            } else {
                System.setProperty(MapMemory.LIMIT_PROPERTY, before);
            }
        }
    }

    @Test
    void aBssClaimingMoreThanAGlobalDataMapMayHoldIsRefusedByTheReader() throws IOException {
        byte[] bytes = xdpFw();
        ElfSection bss = ElfFile.parse(bytes, "xdp_fw.bpf.o").section(".bss").orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong((int) (b.getLong(0x28) + bss.index() * 64L + 0x20), 100L << 20); // sh_size: 100 MiB

        assertThatThrownBy(() -> BpfObject.loader(bytes, "xdp_fw.bpf.o").spec())
                .isInstanceOf(BpfException.class)
                .hasMessage("xdp_fw.bpf.o: section .bss declares 104857600 bytes of global data, over bpfunit's limit "
                        + "of 64.0 MiB (67108864 bytes) for one global data map: the object is corrupt, or use a map "
                        + "(an array with max_entries) for large buffers");
    }
}
