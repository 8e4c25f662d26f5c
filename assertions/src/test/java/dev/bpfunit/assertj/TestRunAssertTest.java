package dev.bpfunit.assertj;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfRetCode;
import dev.bpfunit.RawVerdict;
import dev.bpfunit.TcAction;
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
    void aVerdictOfAnotherProgramTypeIsToldAsSuchFirst() {
        TestRun tc = new TestRun(0, IN, IN, new byte[0], 25, 1, ProgramType.SCHED_CLS);
        assertThat(tc).hasVerdict(TcAction.OK);
        assertThatThrownBy(() -> assertThat(tc).hasVerdict(XdpAction.PASS)).isInstanceOf(AssertionError.class)
                .hasMessage("\nExpecting a verdict of type TcAction, which the SCHED_CLS program that ran returns,\n"
                        + "but the assertion gave XdpAction.PASS (2), a verdict of XDP programs\n"
                        + "  run: " + tc + "\n  it ended with OK (0, TcAction)");
        // a value tc gives no name is a RawVerdict of the run's type: of this type, so the usual message
        TestRun odd = new TestRun(99, IN, IN, new byte[0], 25, 1, ProgramType.SCHED_CLS);
        assertThatThrownBy(() -> assertThat(odd).hasVerdict(TcAction.SHOT))
                .hasMessage("\nExpecting the run " + odd + "\nto end with SHOT (2, TcAction) but it ended with "
                        + "99 (99, RawVerdict)");
        assertThatThrownBy(() -> assertThat(odd).hasVerdict(XdpAction.PASS))
                .hasMessageStartingWith("\nExpecting a verdict of type TcAction, which the SCHED_CLS program that ran "
                        + "returns,\n");
        TestRun filter = new TestRun(64, IN, IN, new byte[0], 25, 1, ProgramType.SOCKET_FILTER);
        assertThatThrownBy(() -> assertThat(filter).hasVerdict(BpfRetCode.OK)).hasMessageStartingWith(
                "\nExpecting a plain return value (hasRetval()), since the SOCKET_FILTER program that ran gives its "
                        + "return values no names,\nbut the assertion gave BpfRetCode.OK (0), a verdict of LWT_IN, "
                        + "LWT_OUT, LWT_XMIT, LWT_SEG6LOCAL and FLOW_DISSECTOR programs\n");
        assertThatThrownBy(() -> assertThat(fake(IN)).hasVerdict(new RawVerdict(ProgramType.SCHED_CLS, 1)))
                .hasMessageStartingWith("\nExpecting a verdict of type XdpAction, which the XDP program that ran "
                        + "returns,\nbut the assertion gave the return value 1 of a program of type SCHED_CLS\n");
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
