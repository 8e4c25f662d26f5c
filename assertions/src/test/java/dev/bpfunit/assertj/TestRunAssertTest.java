package dev.bpfunit.assertj;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfObject;
import dev.bpfunit.TestRun;
import dev.bpfunit.XdpAction;
import dev.bpfunit.spec.ProgramType;
import org.junit.jupiter.api.Test;

class TestRunAssertTest {

    static final byte[] IN = new byte[40];
    static final byte[] OUT = IN.clone();

    static {
        OUT[17] = (byte) 0xab;
    }

    static TestRun fake(byte[] out) {
        return new TestRun(1, IN, out, new byte[0], 25, 1, ProgramType.XDP);
    }

    @Test
    void retvalAndVerdict() {
        TestRun run = fake(IN);
        assertThat(run).hasRetval(1).hasVerdict(XdpAction.DROP);
        assertThatThrownBy(() -> assertThat(run).hasRetval(2)).isInstanceOf(AssertionError.class)
                .hasMessage("\nExpecting the run " + run + "\nto return 2 but it returned 1 (DROP)");
        assertThatThrownBy(() -> assertThat(run).hasVerdict(XdpAction.PASS))
                .hasMessage("\nExpecting the run " + run + "\nto end with PASS (2, XdpAction) but it ended with "
                        + "DROP (1, XdpAction)");
    }

    @Test
    void dataComparedWithAHexDiff() {
        TestRun changed = fake(OUT);
        assertThat(changed).hasDataChanged().hasDataOut(OUT).hasDataChangedAt(17, (byte) 0xab);
        assertThatThrownBy(() -> assertThat(changed).hasDataUnchanged()).hasMessage(String.join("\n",
                "",
                "Expecting the output data (expected: unchanged input) to be as expected, but:",
                "first difference at offset 17 (0x0011): expected 0x00, was 0xab; expected 40 bytes, actual 40 bytes",
                "  offset  expected                                         actual",
                "  0000    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
                "> 0010    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  00 ab 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
                "  0020    00 00 00 00 00 00 00 00                          00 00 00 00 00 00 00 00"));
        assertThatThrownBy(() -> assertThat(changed).hasDataChangedAt(17, (byte) 0xac))
                .hasMessageContaining("the input with 1 bytes at offset 17 replaced by ac")
                .hasMessageContaining("expected 0xac, was 0xab");
        assertThatThrownBy(() -> assertThat(fake(IN)).hasDataChanged())
                .hasMessageStartingWith("\nExpecting the program to change the data, but the output equals the input "
                        .formatted() + "(40 bytes):");
        assertThatThrownBy(() -> assertThat(fake(new byte[38])).hasDataOut(IN))
                .hasMessageContaining("first difference at offset 38 (0x0026); expected 40 bytes, actual 38 bytes");
        assertThatThrownBy(() -> assertThat(changed).hasDataChangedAt(39, (byte) 1, (byte) 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reach past the 40 bytes");
    }

    @Test
    void aRealRun() {
        try (BpfObject obj = Fixtures.load("counter")) {
            TestRun run = obj.program("count_packets").run(new byte[64]);
            assertThat(run).hasVerdict(XdpAction.PASS).hasRetval(2).hasDataUnchanged();
            assertThatThrownBy(() -> assertThat(run).hasVerdict(XdpAction.DROP))
                    .hasMessageEndingWith("to end with DROP (1, XdpAction) but it ended with PASS (2, XdpAction)");
        }
    }
}
