package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A ring buffer's typed reads (by struct name, by Java record, by the map's record type, by codec) in this
 * machine's kernel: a read that fails, whether on the record type or on a record's bytes, consumes nothing.
 * The fixture is junit/ringbuf.bpf.c: {@code events} declares {@code struct ttl_event} (16 bytes) as its
 * record type.
 */
class RingBufferDecodeTest {
    private static final byte[] FRAME = new byte[60];
    /** A 16-byte record and its 8-byte header. */
    private static final int EVENT_BYTES = 24;

    /** struct ttl_event, matched by name: {@code oldTtl} takes {@code old_ttl}. */
    record TtlEvent(long seq, int oldTtl, int newTtl, int len) {
    }

    /** {@code oldTTL} is no field of struct ttl_event, nor is its snake case spelling {@code old_t_t_l}. */
    record WrongEvent(long seq, int oldTTL) {
    }

    /** {@code old_ttl} is a __u8, not a char array. */
    record WrongType(long seq, String oldTtl) {
    }

    /** Takes only even sequence numbers: fails on a record's value, not on its type. */
    record EvenEvent(long seq) {
        EvenEvent {
            if (seq % 2 != 0) {
                throw new IllegalArgumentException("odd seq " + seq);
            }
        }
    }

    private BpfObject obj;
    private RingBuffer events;

    @BeforeEach
    void load() {
        try (InputStream in = RingBufferDecodeTest.class.getResourceAsStream("/junit/ringbuf.bpf.o")) {
            obj = BpfObject.loader(in.readAllBytes(), "ringbuf.bpf.o").load();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        events = obj.ringBuffer("events");
    }

    @AfterEach
    void close() {
        obj.close();
    }

    private void run(String program, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(obj.program(program).run(FRAME).xdpAction()).as(program).isEqualTo(XdpAction.PASS);
        }
    }

    /** The typed waits decode what they waited for; a record type that does not match fails before waiting. */
    @Test
    void theTypedWaitsDecodeAndCheckTheRecordTypeFirst() {
        run("ttl_event", 2);
        long start = System.nanoTime();
        assertThatThrownBy(() -> events.await(3, java.time.Duration.ofSeconds(30), WrongEvent.class))
                .hasMessageContaining("record WrongEvent component 'oldTTL'");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).as("failed without waiting")
                .isLessThan(java.time.Duration.ofSeconds(10));
        assertThat(events.pendingRecords()).isEqualTo(2);

        List<TtlEvent> two = events.await(2, java.time.Duration.ofSeconds(5), TtlEvent.class);
        assertThat(two).extracting(TtlEvent::seq).containsExactly(1L, 2L);
        run("ttl_event", 1);
        assertThat(events.await(1, java.time.Duration.ofSeconds(5), "ttl_event"))
                .extracting(v -> v.get("seq").asLong()).containsExactly(3L);
        assertThatThrownBy(() -> events.await(1, java.time.Duration.ofMillis(50), TtlEvent.class))
                .hasMessage("waited 50 ms for 1 record from ring buffer 'events', got 0");
    }

    @Test
    void aRecordTypeThatDoesNotMatchTheStructConsumesNothing() {
        run("ttl_event", 2);
        assertThat(events.pending()).as("bytes").isEqualTo(2 * EVENT_BYTES);
        assertThat(events.pendingRecords()).isEqualTo(2);

        assertThatThrownBy(() -> events.readAll(WrongEvent.class)).isInstanceOf(BpfException.class)
                .hasMessageContaining("ring buffer 'events': record WrongEvent component 'oldTTL' (or 'old_t_t_l'): struct ttl_event has "
                        + "no field 'oldTTL'; its fields: seq, old_ttl, new_ttl, pad, len");
        assertThat(events.pending()).as("bytes left after readAll(WrongEvent.class)").isEqualTo(2 * EVENT_BYTES);
        assertThatThrownBy(() -> events.readAll("ttl_event", WrongEvent.class)).isInstanceOf(BpfException.class)
                .hasMessageContaining("record WrongEvent component 'oldTTL'");
        assertThatThrownBy(() -> events.readAll(WrongType.class)).isInstanceOf(BpfException.class)
                .hasMessageContaining("record WrongType.oldTtl (String): cannot take struct ttl_event field of type "
                        + "__u8: __u8 is not a char array");
        assertThat(events.pending()).as("bytes left after the failed reads").isEqualTo(2 * EVENT_BYTES);
        assertThat(events.pendingRecords()).isEqualTo(2);

        assertThat(events.readAll(TtlEvent.class)).containsExactly(
                new TtlEvent(1, 64, 63, FRAME.length), new TtlEvent(2, 64, 63, FRAME.length));
        assertThat(events.pending()).isZero();
        assertThat(events.pendingRecords()).isZero();
    }

    @Test
    void aRecordOfTheWrongSizeFailsTheReadAndConsumesNoneOfTheRecords() {
        run("ttl_event", 1);
        run("short_record", 1);     // seq 2, 8 bytes
        run("discarded", 1);
        run("ttl_event", 1);        // seq 3
        long pending = events.pending();
        assertThat(pending).isEqualTo(EVENT_BYTES + 16 + EVENT_BYTES + EVENT_BYTES);

        assertThatThrownBy(() -> events.readAll("ttl_event")).isInstanceOf(BpfException.class)
                .hasMessage("ring buffer 'events': unread record 2 of 3: 8 bytes, not a struct ttl_event (16 bytes); "
                        + "nothing was consumed, all 3 stay in the buffer (readAll() reads them as bytes)");
        String secondIsShort = "unread record 2 of 3: 8 bytes, not a struct ttl_event (16 bytes); nothing was consumed";
        assertThatThrownBy(() -> events.readAllValues()).hasMessageContaining(secondIsShort);
        assertThatThrownBy(() -> events.readAll(TtlEvent.class)).hasMessageContaining(secondIsShort);
        assertThatThrownBy(() -> events.readAll("ttl_event", TtlEvent.class)).hasMessageContaining(secondIsShort);
        assertThatThrownBy(() -> events.readAll(MapCodec.u64()))
                .hasMessageContaining("unread record 1 of 3: a u64 is 8 bytes, got 16; nothing was consumed");
        assertThat(events.pending()).as("bytes left after the failed reads").isEqualTo(pending);
        assertThat(events.discarded()).as("discarded records skipped by a read that failed").isZero();
        assertThat(events.pendingRecords()).isEqualTo(3);

        List<byte[]> raw = events.readAll();
        assertThat(raw).extracting(r -> r.length).containsExactly(16, 8, 16);
        assertThat(events.discarded()).isEqualTo(1);
        assertThat(events.pending()).isZero();
    }

    @Test
    void aRecordItsConstructorRefusesFailsTheReadAndConsumesNoneOfTheRecords() {
        run("ttl_event", 3);

        assertThatThrownBy(() -> events.readAll(EvenEvent.class)).isInstanceOf(BpfException.class)
                .hasMessageContaining("ring buffer 'events': unread record 1 of 3: record EvenEvent: its constructor "
                        + "threw java.lang.IllegalArgumentException: odd seq 1; nothing was consumed");
        assertThat(events.pendingRecords()).isEqualTo(3);

        assertThat(events.readAll("ttl_event")).extracting(v -> v.get("seq").asLong()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aMismatchIsReportedWhenTheBufferIsEmpty() {
        assertThatThrownBy(() -> events.readAll(WrongEvent.class))
                .hasMessageContaining("record WrongEvent component 'oldTTL'");
        assertThat(events.readAll(TtlEvent.class)).isEmpty();
    }

    @Test
    void readsByStructNameRecordTypeAndCodecAgree() {
        run("ttl_event", 1);
        List<BtfValue> byName = events.readAll("ttl_event");
        run("ttl_event", 1);
        List<BtfValue> declared = events.readAllValues();
        assertThat(byName).singleElement().extracting(v -> v.get("seq").asLong()).isEqualTo(1L);
        assertThat(declared).singleElement().extracting(v -> v.get("old_ttl").asLong()).isEqualTo(64L);
        run("short_record", 1);
        assertThat(events.readAll(MapCodec.u64())).containsExactly(3L);
    }
}
