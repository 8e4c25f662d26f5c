package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A log buffer is copied by the length of the log in it, not by the buffer's size (issue 12, item 4). */
class LogCopyTest {

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aShortLogInABigBufferIsCopiedByItsLength() {
        Memory buffer = new Memory(64L << 20);
        buffer.clear();
        byte[] log = "0: R1=ctx() R10=fp0\nprocessed 2 insns\n".getBytes(StandardCharsets.UTF_8);
        buffer.write(0, log, 0, log.length);
        buffer.setByte(log.length + 1, (byte) 'x'); // after the NUL: not part of the log
        long before = allocatedBytes();
        String text = Attr.text(buffer);
        long allocated = allocatedBytes() - before;
        assertThat(text).isEqualTo(new String(log, StandardCharsets.UTF_8));
        assertThat(allocated).as("bytes allocated to read a %d-byte log from a 64 MiB buffer", log.length)
                .isLessThan(1L << 20);
    }

    @Test
    void aFullBufferWithoutNulIsReadWhole() {
        Memory buffer = new Memory(100_000);
        for (long i = 0; i < buffer.size(); i++) {
            buffer.setByte(i, (byte) 'a');
        }
        assertThat(Attr.text(buffer)).hasSize(100_000);
        Memory empty = new Memory(16);
        empty.clear();
        assertThat(Attr.text(empty)).isEmpty();
    }
}
