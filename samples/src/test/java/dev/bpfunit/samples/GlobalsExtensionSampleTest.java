package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Program;
import org.junit.jupiter.api.Test;

/** A program configured through .rodata before load, with .bss counters read back after runs. */
@BpfTest("bpf/globals.bpf.o")
@Global(name = "max_packets", value = "2")
class GlobalsExtensionSampleTest {

    @Program("globals_xdp") BpfProgram xdp;
    Globals globals;

    @Test
    void passesTheFirstMaxPacketsThenDrops() {
        byte[] frame = new byte[64];
        assertThat(xdp.run(frame)).hasVerdict(XdpAction.PASS);
        assertThat(xdp.run(frame)).hasVerdict(XdpAction.PASS);
        assertThat(xdp.run(frame)).hasVerdict(XdpAction.DROP);
        assertThat(globals).hasVariable("max_packets", 2).hasVariable("packets", 3).hasVariable("scale", 2);
    }

    @Test
    void countersStartAtZeroInEveryTest() {
        assertThat(globals).hasVariable("packets", 0).hasVariable("filter_pid", -1);
    }
}
