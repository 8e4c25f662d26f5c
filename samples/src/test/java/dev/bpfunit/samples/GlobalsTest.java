package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfObject;
import dev.bpfunit.GlobalVariable;
import dev.bpfunit.Globals;
import dev.bpfunit.SyscallContext;
import dev.bpfunit.XdpAction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Global variables of the globals sample: read after runs, written between runs, .rodata refused. */
class GlobalsTest {

    private static SyscallContext args(int pid, int value) {
        return new SyscallContext(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(pid).putInt(value)
                .array());
    }

    @Test
    void filterPidSetByUserspaceIsSeenByTheProgramAndInTheDataMap() {
        try (BpfObject obj = BpfObject.load(object("globals"))) {
            Globals g = obj.globals();
            GlobalVariable filter = g.get("filter_pid");
            assertThat(filter.asLong()).isEqualTo(-1);
            assertThat(filter.section()).isEqualTo(".data");
            assertThat(filter.typeName()).contains("__s32");
            var run = obj.program("globals_syscall");
            assertThat(run.testRun().context(args(99, 1)).run().retval()).isEqualTo(1 * 2 + 7 + 11);

            filter.set(1234);
            assertThat(run.testRun().context(args(99, 1)).run().retval()).as("other pid").isZero();
            assertThat(run.testRun().context(args(1234, 3)).run().retval()).isEqualTo(3 * 2 + 7 + 11);

            // the .data map holds the new value at the variable's offset, and its dump shows it by name
            byte[] data = obj.map(".data").lookup(new byte[4]).orElseThrow();
            assertThat(ByteBuffer.wrap(data).order(ByteOrder.nativeOrder()).getInt(filter.offset())).isEqualTo(1234);
            assertThat(obj.map(".data").dump()).contains("filter_pid = 1234");
            assertThat(g.get("runs").asLong()).isEqualTo(3);

            g.get("custom_bias").set(100);
            assertThat(run.testRun().context(args(1234, 0)).run().retval()).isEqualTo(100 + 11);
        }
    }

    @Test
    void dataWrittenByUsLooksTheSameToBpftool() {
        // bpftool loads its own copy; we set the same value through its map and through our globals
        try (Bpftool.Loaded ref = Bpftool.loadAll(object("globals")); BpfObject obj = BpfObject.load(object("globals"))) {
            obj.globals().get("filter_pid").set(77);
            byte[] ours = obj.map(".data").lookup(new byte[4]).orElseThrow();
            ref.update("globals_data", new byte[4], ours);
            JsonNode dump = ref.dump("globals_data");
            assertThat(dump.get(0).path("formatted").toString()).contains("\"filter_pid\":77");
            assertThat(Bpftool.bytes(dump.get(0).get("value"))).isEqualTo(ours);
        }
    }

    @Test
    void bssCounterAfterNRuns() {
        try (BpfObject obj = BpfObject.load(object("globals"))) {
            byte[] packet = Frames.udp4(new byte[] {1, 1, 1, 1}, new byte[] {2, 2, 2, 2}, 1, 2, 8, 64);
            GlobalVariable packets = obj.globals().get("packets");
            assertThat(packets.section()).isEqualTo(".bss");
            for (int i = 0; i < 3; i++) {
                assertThat(obj.program("globals_xdp").run(packet).xdpAction()).isEqualTo(XdpAction.PASS);
            }
            assertThat(obj.program("globals_xdp").run(packet).xdpAction()).as("after max_packets")
                    .isEqualTo(XdpAction.DROP);
            assertThat(packets.asLong()).isEqualTo(4);
            assertThat(packets.value().asLong()).isEqualTo(4);
            packets.set(0L);
            assertThat(obj.program("globals_xdp").run(packet).xdpAction()).isEqualTo(XdpAction.PASS);
            assertThat(packets.bytes()).isEqualTo(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        }
    }

    @Test
    void rodataIsReadableButNotWritableAfterLoad() {
        try (BpfObject obj = BpfObject.loader(object("globals")).global("scale", 5).load()) {
            GlobalVariable scale = obj.globals().get("scale");
            assertThat(scale.isReadOnly()).isTrue();
            assertThat(scale.asLong()).isEqualTo(5);
            assertThatThrownBy(() -> scale.set(3)).isInstanceOf(BpfException.class)
                    .hasMessageContaining(".rodata").hasMessageContaining("BpfObject.loader(path).global(\"scale\"");
            assertThat(obj.globals().get("custom_offset").asLong()).isEqualTo(11);
            assertThat(obj.program("globals_syscall").testRun().context(args(0, 1)).run().retval())
                    .isEqualTo(5 + 7 + 11);
        }
    }

    @Test
    void wrongNamesAndValuesAreClear() {
        try (BpfObject obj = BpfObject.load(object("globals"))) {
            assertThatThrownBy(() -> obj.globals().get("filter"))
                    .hasMessageContaining("no global variable 'filter'").hasMessageContaining("filter_pid");
            assertThatThrownBy(() -> obj.globals().get("filter_pid").set(new byte[3]))
                    .hasMessageContaining("4 bytes").hasMessageContaining("3 bytes");
            assertThatThrownBy(() -> obj.globals().get("filter_pid").set(1L << 40))
                    .isInstanceOf(BpfException.class).hasMessageContaining("filter_pid");
            assertThat(obj.globals().names()).contains("filter_pid", "runs", "packets", "scale", "max_packets",
                    "custom_bias", "custom_offset");
            assertThat(obj.globals().dump()).contains("filter_pid = -1");
        }
    }

    @Test
    void closingTheObjectUnmapsAndClosesEverything() throws InterruptedException {
        long before = Samples.openFds();
        BpfObject obj = BpfObject.load(object("ringbuf"));
        Samples.KernelIds ids = Samples.kernelIds(obj);
        obj.globals().get("seq").asLong();
        obj.ringBuffer("events");
        obj.perfReader("perf_events");
        obj.close();
        Samples.assertNoFdLeakedSince(before);
        assertThat(ids.stillInKernelAfter(java.time.Duration.ofSeconds(30)))
                .as("programs and maps of the closed object still in the kernel").isEmpty();
        assertThatThrownBy(obj::globals).hasMessageContaining("closed");
    }
}
