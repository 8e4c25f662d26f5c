package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link MapCreation}'s pure parts: the sizes it passes the kernel. */
class MapCreationTest {

    @Test
    void aRingBufferSizeBecomesAPowerOfTwoMultipleOfThePageAsLibbpfMakesIt() {
        assertThat(MapCreation.ringBufferSize(1000, 4096)).isEqualTo(4096);      // test_ringbuf_multi's 1000
        assertThat(MapCreation.ringBufferSize(4097, 4096)).isEqualTo(8192);
        assertThat(MapCreation.ringBufferSize(3 * 4096, 4096)).isEqualTo(4 * 4096); // a multiple, not a power of 2
        assertThat(MapCreation.ringBufferSize(256 * 1024, 4096)).isEqualTo(256 * 1024); // already right: unchanged
        assertThat(MapCreation.ringBufferSize(0, 4096)).isZero();                 // left for the kernel to refuse
        assertThat(MapCreation.ringBufferSize(-1, 4096)).isEqualTo(-1);           // 2^32-1: no multiple fits
        assertThat(MapCreation.ringBufferSize(1 << 20, 65536)).isEqualTo(1 << 20);
        assertThat(MapCreation.ringBufferSize(70000, 65536)).isEqualTo(131072);
    }
}
