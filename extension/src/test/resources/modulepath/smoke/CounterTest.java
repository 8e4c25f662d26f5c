package smoke;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.MapInfo;
import dev.bpfunit.TestRun;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** counter.bpf.o loaded by @BpfTest on the module path: a field and a parameter injected, a test run, a map read. */
@BpfTest(value = "counter.bpf.o", globals = @Global(name = "delta", value = "2"))
class CounterTest {
    BpfMap counts;

    @Test
    void countsAPacket(BpfProgram countPackets) {
        TestRun run = countPackets.run(new byte[64]);
        check(run.xdpAction() == XdpAction.PASS, "XDP action " + run.xdpAction());
        long n = ByteBuffer.wrap(counts.lookup(new byte[4]).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong();
        check(n == 2 + 'n', "counter " + n + ", expected delta 2 + tag[0] 'n'");
        MapInfo info = counts.info();
        check(info.maxEntries() == 1 && info.keySize() == 4 && info.valueSize() == 8, "map info " + info);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
