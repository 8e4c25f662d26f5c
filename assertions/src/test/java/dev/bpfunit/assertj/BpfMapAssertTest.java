package dev.bpfunit.assertj;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.sys.SystemInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BpfMapAssertTest {

    @Test
    void keysEntriesAndSize() {
        try (BpfObject obj = Fixtures.load("stats")) {
            BpfMap byLen = obj.map("by_len");
            assertThat(byLen).isEmpty().doesNotContainKey(64);
            assertThatThrownBy(() -> assertThat(byLen).containsKey(64))
                    .hasMessage("\nExpecting map 'by_len' (HASH) to contain key 64 (40 00 00 00) but it does not; "
                            + "it holds:\n" + byLen.dump());
            obj.program("count").run(new byte[64]);
            assertThat(byLen).hasSize(1).containsKey(64).containsEntry(64, Map.of("packets", 1, "bytes", 64))
                    .hasValueField(64, "bytes", 64)
                    .hasValueSatisfying(64, v -> org.assertj.core.api.Assertions.assertThat(v.get("packets").asLong())
                            .isOne());
            assertThatThrownBy(() -> assertThat(byLen).isEmpty())
                    .hasMessageStartingWith("\nExpecting map 'by_len' (HASH) to have 0 entries but it has 1:".formatted())
                    .hasMessageContaining("key: 64  value: {\"packets\": 1, \"bytes\": 64}");
            assertThatThrownBy(() -> assertThat(byLen).doesNotContainKey(64))
                    .hasMessage("\nExpecting map 'by_len' (HASH) not to contain this key, but it holds\n  "
                            + byLen.render(byLen.encodeKey(64)));
            assertThatThrownBy(() -> assertThat(byLen).containsEntry(64, Map.of("packets", 2, "bytes", 64)))
                    .hasMessageStartingWith("\nExpecting map 'by_len' (HASH) to hold under key 64 (40 00 00 00)\n  "
                            .formatted())
                    .hasMessageContaining("first difference at offset 0 (0x0000): expected 0x02, was 0x01");
            assertThatThrownBy(() -> assertThat(byLen).hasValueField(64, "packets", 5))
                    .hasMessageContaining(".packets = 5").hasMessageContaining(".packets = 1 in ");
            assertThatThrownBy(() -> assertThat(byLen).hasValueSatisfying(64,
                    v -> org.assertj.core.api.Assertions.assertThat(v.get("bytes").asLong()).isEqualTo(65)))
                    .hasMessageContaining("to satisfy the requirements, but:")
                    .hasMessageContaining("expected: 65");
        }
    }

    @Test
    void perCpuSums() {
        try (BpfObject obj = Fixtures.load("stats")) {
            BpfMap perCpu = obj.map("per_cpu");
            obj.program("count").run(new byte[64]);
            obj.program("count").run(new byte[100]);
            assertThat(perCpu).hasPerCpuSum(2, "packets", 2).hasPerCpuSum(2, "bytes", 164)
                    .hasPerCpuSum(1, "packets", 0).hasSize(4);
            assertThatThrownBy(() -> assertThat(perCpu).hasPerCpuSum(2, "packets", 3))
                    .hasMessageContaining(".packets summing to 3 over CPUs")
                    .hasMessageContaining(".packets summing to 2:");
            assertThatThrownBy(() -> assertThat(perCpu).containsEntry(2, new byte[16 * SystemInfo.possibleCpuCount()]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use hasPerCpuSum");
        }
    }
}
