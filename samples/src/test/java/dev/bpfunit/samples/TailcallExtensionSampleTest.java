package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import org.junit.jupiter.api.Test;

/** Tail calls through a program array filled from the object's static initialiser, and changed by a test. */
@BpfTest("bpf/tailcall.bpf.o")
class TailcallExtensionSampleTest {

    @Program("tail_entry") BpfProgram entry;
    @Map BpfMap jumpTable; // the only map: no name needed

    /** A 64-byte frame whose first byte is the slot the entry program jumps to. */
    static byte[] frame(int slot) {
        byte[] f = new byte[64];
        f[0] = (byte) slot;
        return f;
    }

    @Test
    void theFirstByteSelectsTheSlot() {
        assertThat(entry.run(frame(0))).hasVerdict(XdpAction.DROP);
        assertThat(entry.run(frame(1))).hasVerdict(XdpAction.TX);
        assertThat(entry.run(frame(3))).as("an empty slot falls through").hasVerdict(XdpAction.PASS);
    }

    @Test
    void aTestCanRewireTheTable(@Program("slot_tx") BpfProgram tx) {
        jumpTable.setProgram(3, tx);
        assertThat(entry.run(frame(3))).hasVerdict(XdpAction.TX);
        assertThat(jumpTable).containsKey(3).doesNotContainKey(2);
    }
}
