package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.RingBuffer;
import dev.bpfunit.XdpAction;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import dev.bpfunit.junit.RequiresMapType;
import dev.bpfunit.packet.Packets;
import dev.bpfunit.spec.MapType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A ring-buffer producer: every run submits one {@code struct event}, which the test reads back from the
 * buffer after the runs. Each test gets a fresh object, so its buffer starts empty and its sequence at 1.
 */
@BpfTest("bpf/ringbuf.bpf.o")
@RequiresMapType(MapType.RINGBUF)
class RingBufferTest {

    /** {@code struct event} of ringbuf.bpf.c: seq (u64), frame_len (u32), eth_proto (u16), pad. */
    record Event(long seq, int frameLength, int etherType) {
        static Event decode(byte[] record) {
            ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
            return new Event(b.getLong(0), b.getInt(8), Short.toUnsignedInt(b.getShort(12)));
        }
    }

    @Program("ringbuf_event") BpfProgram producer;
    @Map("events") BpfMap events;

    @Test
    void eachRunSubmitsOneEvent(Globals globals) {
        RingBuffer buffer = events.ringBuffer();
        byte[] ipv4 = Packets.ethernet().ipv4().udp().payload(10).bytes();
        byte[] ipv6 = Packets.ethernet().ipv6().udp().payload(10).bytes();

        assertThat(producer.run(ipv4)).hasVerdict(XdpAction.PASS);
        assertThat(producer.run(ipv6)).hasVerdict(XdpAction.PASS);
        assertThat(producer.run(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})).hasVerdict(XdpAction.PASS);

        List<Event> sent = buffer.readAll().stream().map(Event::decode).toList();
        assertThat(sent).containsExactly(
                new Event(1, ipv4.length, 0x0800),
                new Event(2, ipv6.length, 0x86dd),
                new Event(3, 15, 0x0d0e));
        assertThat(buffer.readAll()).as("read once").isEmpty();
        assertThat(globals).hasVariable("seq", 3).hasVariable("ringbuf_full", 0);
    }

    /** The same struct as a record matched by field name: {@code frameLen} takes {@code frame_len}. */
    record EventFields(long seq, int frameLen, int ethProto) {
    }

    @Test
    void recordsDecodeByTheirStructName() {
        byte[] ipv4 = Packets.ethernet().ipv4().udp().payload(10).bytes();
        producer.run(ipv4);
        producer.run(ipv4);

        // snippet:ringbuf
        List<BtfValue> events = this.events.ringBuffer().readAll("event");    // struct event, decoded by BTF
        assertThat(events).extracting(e -> e.get("seq").asLong()).containsExactly(1L, 2L);
        // end:ringbuf

        producer.run(ipv4);
        // snippet:ringbufRecord
        List<EventFields> typed = this.events.ringBuffer().readAll("event", EventFields.class);
        assertThat(typed).containsExactly(new EventFields(3, ipv4.length, 0x0800));
        // end:ringbufRecord
    }

    @Test
    void aFullBufferCountsWhatItCouldNotTake(Globals globals) {
        RingBuffer buffer = events.ringBuffer();
        byte[] frame = Packets.ethernet().ipv4().udp().payload(10).bytes();

        // 4096 bytes hold 170 records of 16 bytes and an 8-byte header each
        producer.testRun().data(frame).repeat(200).run();

        List<byte[]> records = buffer.readAll();
        assertThat(records).hasSize(170);
        assertThat(Event.decode(records.get(0)).seq()).isEqualTo(1);
        // seq only counts the events that found room
        assertThat(globals).hasVariable("seq", 170).hasVariable("ringbuf_full", 30);
    }
}
