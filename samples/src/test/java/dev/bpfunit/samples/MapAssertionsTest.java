package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.MapCodec;
import dev.bpfunit.TypedMap;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import dev.bpfunit.packet.Ipv4Address;
import dev.bpfunit.packet.Packets;
import org.junit.jupiter.api.Test;

/** Whole-map assertions: exact contents, prog array slots, queues and stacks looked at without losing values. */
@BpfTest({"bpf/xdp_fw.bpf.o", "bpf/tailcall.bpf.o", "bpf/percpu_queue.bpf.o"})
class MapAssertionsTest {

    @Map("blocklist") BpfMap blocklist;          // __u32 IPv4 source -> struct block_reason { rule_id, flags }
    @Map("jmp_table") BpfMap jumps;              // prog array, 4 slots, 0 and 1 set by the object
    @Map("in_queue") BpfMap queue;               // queue of __u64
    @Map("out_stack") BpfMap stack;              // stack of __u64

    @Test
    void aMapHoldsExactlyTheseEntries() {
        blocklist.updateValue(Ipv4Address.of("10.0.0.66").bytes(), java.util.Map.of("rule_id", 7, "flags", 0));
        blocklist.updateValue(Ipv4Address.of("10.0.0.67").bytes(), java.util.Map.of("rule_id", 8, "flags", 1));

        // snippet:exactly
        assertThat(blocklist).containsExactly(java.util.Map.of(
                Ipv4Address.of("10.0.0.66").bytes(), java.util.Map.of("rule_id", 7, "flags", 0),
                Ipv4Address.of("10.0.0.67").bytes(), java.util.Map.of("rule_id", 8, "flags", 1)));
        assertThat(jumps).hasSize(2).hasOnlySlotsSet(0, 1);       // set slots, not max_entries (4)
        assertThat(queue).isEmpty();                              // a queue's values, looked at without popping
        // end:exactly
    }

    @Test
    void aWrongEntryIsShownDecodedWithKeysAsAddresses() {
        blocklist.renderKeysAs(MapCodec.ipv4())
                .updateValue(Ipv4Address.of("10.0.0.66").bytes(), java.util.Map.of("rule_id", 7, "flags", 0));

        assertThatThrownBy(() -> assertThat(blocklist).containsExactly(java.util.Map.of(
                Ipv4Address.of("10.0.0.66").bytes(), java.util.Map.of("rule_id", 9, "flags", 0),
                Ipv4Address.of("10.0.0.1").bytes(), java.util.Map.of("rule_id", 1, "flags", 0))))
                .hasMessageContaining("to contain exactly 2 entries, but:")
                .hasMessageContaining("missing:    key 10.0.0.1  value {\"rule_id\": 1, \"flags\": 0}")
                .hasMessageContaining("different:  key 10.0.0.66")
                .hasMessageContaining("expected value {\"rule_id\": 9, \"flags\": 0}")
                .hasMessageContaining("actual value   {\"rule_id\": 7, \"flags\": 0}");
        assertThat(blocklist.dump()).contains("key: 10.0.0.66  value: {\"rule_id\": 7, \"flags\": 0}");
    }

    @Test
    void aProgArrayCountsItsSetSlotsAndReadsBackProgramIds(@Program("slot_drop") BpfProgram drop,
                                                          @Program("slot_tx") BpfProgram tx) {
        assertThat(jumps.info().maxEntries()).isEqualTo(4);
        assertThat(jumps).hasSize(2).hasOnlySlotsSet(0, 1);
        assertThat(jumps.programIdAt(0)).contains(drop.info().id());    // written as an fd, read as an id
        assertThat(jumps.programIdAt(2)).isEmpty();

        jumps.delete(jumps.encodeKey(1));
        jumps.setProgram(3, tx);
        assertThat(jumps).hasOnlySlotsSet(0, 3);
        assertThat(jumps.dump()).contains("value: prog id " + tx.info().id());
    }

    @Test
    void queuesAndStacksAreLookedAtWithoutLosingValues(@Program("move_one") BpfProgram move) {
        TypedMap<byte[], Long> in = queue.typed(MapCodec.u64());
        in.push(1L);
        in.push(2L);
        in.push(3L);
        assertThat(in.peek()).contains(1L);
        assertThat(queue).hasSize(3).containsExactlyValues(1L, 2L, 3L);
        assertThat(queue.dump()).contains("3 values, oldest first");

        byte[] frame = Packets.ethernet().ipv4().udp().payload(4).bytes();
        assertThat(move.run(frame)).hasVerdict(XdpAction.PASS);
        assertThat(move.run(frame)).hasVerdict(XdpAction.PASS);

        assertThat(queue).containsExactlyValues(3L);
        assertThat(stack).containsExactlyValues(4L, 2L);                 // newest first
        assertThat(stack.typed(MapCodec.u64()).snapshot()).containsExactly(4L, 2L);
        assertThat(stack.typed(MapCodec.u64()).pop()).contains(4L);
        assertThat(stack).hasSize(1);
    }
}
