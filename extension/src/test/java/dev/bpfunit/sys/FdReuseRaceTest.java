package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.MapType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Closing a map while another thread uses it: the closed map's number is at once given to a new map, which
 * the kernel usually does (lowest free number). Every lookup on the closed map must either read the old map
 * or fail saying it is closed; none may read the new one. {@code -Dbpfunit.fdrace.trials=10000} runs it longer.
 */
class FdReuseRaceTest {

    private static final long OLD = 0x01dL;
    private static final long NEW = 0x0eeL;

    private static Fd map(long value) {
        Fd fd = Bpf.mapCreate(new MapCreateAttr().mapType(MapType.ARRAY.number()).keySize(4).valueSize(8)
                .maxEntries(1).mapName("bpfunit_race"));
        Bpf.mapUpdateElem(fd, new byte[4], ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value)
                .array(), 0);
        return fd;
    }

    @Test
    void aLookupRacingACloseNeverReadsTheMapThatReusedTheNumber() throws Exception {
        int trials = Integer.getInteger("bpfunit.fdrace.trials", 300);
        AtomicLong readOld = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong readOther = new AtomicLong();
        AtomicLong reused = new AtomicLong();
        for (int t = 0; t < trials; t++) {
            Fd old = map(OLD);
            int number = old.raw();
            CountDownLatch started = new CountDownLatch(1);
            Thread user = new Thread(() -> {
                byte[] value = new byte[8];
                started.countDown();
                for (int i = 0; i < 200; i++) {
                    try {
                        Bpf.mapLookupElem(old, new byte[4], value, 0);
                    } catch (BpfException closed) {
                        refused.incrementAndGet();
                        return;
                    }
                    long v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
                    (v == OLD ? readOld : readOther).incrementAndGet();
                }
            });
            user.start();
            started.await();
            old.close();
            try (Fd replacement = map(NEW)) {
                if (replacement.raw() == number) {
                    reused.incrementAndGet();
                }
                user.join();
            }
        }
        System.out.printf("fd race: %d trials, number reused %d times, %d lookups read the closed map, %d refused, "
                + "%d read another map%n", trials, reused.get(), readOld.get(), refused.get(), readOther.get());
        assertThat(readOther).as("lookups that landed on the map which reused the number").hasValue(0);
        assertThat(reused.get()).as("trials where the kernel gave the number to the new map").isPositive();
        assertThat(refused.get()).as("lookups refused because the map was closed").isPositive();
    }
}
