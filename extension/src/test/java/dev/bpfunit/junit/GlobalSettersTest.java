package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every way of setting a value goes through one encoder, so each takes the same Java values with the same errors:
 * the loader's {@code global()}, {@code @Global}, {@code GlobalVariable.set} and a map's {@code encodeValue}.
 */
class GlobalSettersTest {

    static BpfObjectLoader loader() {
        try (InputStream in = GlobalSettersTest.class.getResourceAsStream("/junit/setters.bpf.o")) {
            return BpfObject.loader(in.readAllBytes(), "setters.bpf.o");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theLoaderTakesAnIntOfAnyWidthThatFitsAndEnumeratorNames() {
        try (BpfObject obj = loader().global("blocked_port", 53).global("mode", "FAST").load()) {
            assertThat(obj.globals().get("blocked_port").asLong()).isEqualTo(53);
            assertThat(obj.globals().get("mode").asLong()).isEqualTo(1);
        }
        try (BpfObject obj = loader().global("blocked_port", (byte) 7).global("mode", 1L).load()) {
            assertThat(obj.globals().get("blocked_port").asLong()).isEqualTo(7);
            assertThat(obj.globals().get("mode").asLong()).isEqualTo(1);
        }
        try (BpfObject obj = loader().global("blocked_port", BigInteger.valueOf(65535)).global("mode", "0x1")
                .load()) {
            assertThat(obj.globals().get("blocked_port").asLong()).isEqualTo(65535);
        }
    }

    @Test
    void globalVariableSetTakesTheSameValues() {
        try (BpfObject obj = loader().load()) {
            obj.globals().get("live_port").set(53);
            obj.globals().get("live_mode").set("SLOW");
            obj.globals().get("label").set("fast");
            assertThat(obj.globals().get("live_port").asLong()).isEqualTo(53);
            assertThat(obj.globals().get("live_mode").asLong()).isZero();
            assertThat(obj.globals().get("label").value().toString()).contains("fast");
            obj.globals().get("live_port").set((short) 54);
            assertThat(obj.globals().get("live_port").asLong()).isEqualTo(54);
        }
    }

    record Pair(int a, long b) {
    }

    @Test
    void aMapCodecTakesRecordsAndMapsForStructs() {
        try (BpfObject obj = loader().load()) {
            BpfMap pairs = obj.map("pairs");
            byte[] fromRecord = pairs.encodeValue(new Pair(1, 53));
            byte[] fromMap = pairs.encodeValue(Map.of("a", 1, "b", 53));
            assertThat(fromRecord).isEqualTo(fromMap);
            assertThat(BtfValue.decode(obj.spec().btf(), obj.spec().map("pairs").btfValueTypeId(), fromRecord)
                    .toString()).contains("53");
        }
    }

    @Test
    void everySetterRefusesAValueThatDoesNotFitWithTheSameReason() {
        String reason = "70000 does not fit an unsigned 16-bit integer: give a value from 0 to 65535";
        assertThatThrownBy(() -> loader().global("blocked_port", 70000).load()).isInstanceOf(BpfException.class)
                .hasMessageContaining("global 'blocked_port' (const volatile __u16, 2 bytes): " + reason);
        try (BpfObject obj = loader().load()) {
            assertThatThrownBy(() -> obj.globals().get("live_port").set(70000)).isInstanceOf(BpfException.class)
                    .hasMessageContaining("global 'live_port' (__u16, 2 bytes): " + reason);
            assertThatThrownBy(() -> obj.map("pairs").encodeValue(Map.of("a", 1, "b", 70000)))
                    .isInstanceOf(BpfException.class).hasMessageContaining(".b: " + reason);
        }
        assertThatThrownBy(() -> loader().global("mode", "MEDIUM").load()).isInstanceOf(BpfException.class)
                .hasMessageContaining("has no enumerator 'MEDIUM'; its enumerators: SLOW, FAST");
    }

    @BpfTest(value = "junit/setters.bpf.o", globals = {@Global(name = "blocked_port", value = "53"),
            @Global(name = "mode", value = "FAST")})
    static class AnnotatedGlobals {
        @Test
        void test(BpfObject obj) {
            assertThat(obj.globals().get("blocked_port").asLong()).isEqualTo(53);
            assertThat(obj.globals().get("mode").asLong()).isEqualTo(1);
        }
    }

    @Test
    void atGlobalTakesTheSameValues() {
        Kit.assertAllPassed(Kit.run(AnnotatedGlobals.class), 1);
    }
}
