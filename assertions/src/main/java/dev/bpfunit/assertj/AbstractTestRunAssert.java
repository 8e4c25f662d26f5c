package dev.bpfunit.assertj;

import dev.bpfunit.RawVerdict;
import dev.bpfunit.TestRun;
import dev.bpfunit.Verdict;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketDiff;
import dev.bpfunit.spec.ProgramType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on a {@link TestRun}: the return value, the verdict by name, and the data the program left,
 * compared byte by byte. On failure, data that parses as Ethernet packets is shown as a diff by layer and field
 * and saved as a pcap file under {@code target/bpfunit/}; other data as a hex diff.
 *
 * @param <SELF> the concrete assertion type
 */
public abstract class AbstractTestRunAssert<SELF extends AbstractTestRunAssert<SELF>>
        extends AbstractObjectAssert<SELF, TestRun> {

    protected AbstractTestRunAssert(TestRun actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /** The program returned exactly {@code expected}. */
    public SELF hasRetval(int expected) {
        isNotNull();
        if (actual.retval() != expected) {
            throwAssertionError(BpfErrors.shouldHaveRetval(actual, expected, actual.retval(), actual.verdict().name()));
        }
        return myself;
    }

    /** The program's return value means {@code expected} for its type ({@code XdpAction.DROP}, {@code TcAction.SHOT}). */
    public SELF hasVerdict(Verdict expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected verdict");
        Verdict v = actual.verdict();
        if (v.equals(expected)) {
            return myself;
        }
        ProgramType type = actual.type();
        Class<? extends Verdict> fits = Verdict.typeOf(type);
        boolean ofThisType = expected instanceof RawVerdict raw ? raw.type() == type : fits.isInstance(expected);
        if (!ofThisType) {
            String wanted = fits == RawVerdict.class ? "a plain return value (hasRetval()), since the " + type
                    + " program that ran gives its return values no names"
                    : "a verdict of type " + fits.getSimpleName() + ", which the " + type + " program that ran returns";
            throwAssertionError(BpfErrors.shouldHaveVerdictOfRunType(actual, wanted, given(expected), describe(v)));
        }
        throwAssertionError(BpfErrors.shouldHaveVerdict(actual, describe(expected), describe(v)));
        return myself;
    }

    /** A verdict of another program type than the run's, as the mismatch message names it. */
    private static String given(Verdict expected) {
        if (expected instanceof RawVerdict raw) {
            return "the return value " + raw.raw() + " of a program of type " + raw.type();
        }
        return expected.getClass().getSimpleName() + "." + expected.name() + " (" + expected.raw() + "), a verdict of "
                + programsOf(expected.getClass()) + " programs";
    }

    /** The program types whose verdict is {@code verdictType}: {@code SCHED_CLS and SCHED_ACT}. */
    private static String programsOf(Class<?> verdictType) {
        List<String> types = Arrays.stream(ProgramType.values()).filter(t -> Verdict.typeOf(t) == verdictType)
                .map(Enum::name).toList();
        return types.size() < 2 ? String.join("", types)
                : String.join(", ", types.subList(0, types.size() - 1)) + " and " + types.get(types.size() - 1);
    }

    /** The output data equals {@code expected}, every byte and the length. */
    public SELF hasDataOut(byte[] expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected data");
        if (!Arrays.equals(actual.dataOut(), expected)) {
            failData("the output data", expected);
        }
        return myself;
    }

    /** The program left the data exactly as it was given. */
    public SELF hasDataUnchanged() {
        isNotNull();
        if (!Arrays.equals(actual.dataOut(), actual.dataIn())) {
            failData("the output data (expected: unchanged input)", actual.dataIn());
        }
        return myself;
    }

    /** The program changed the data (any byte, or its length). */
    public SELF hasDataChanged() {
        isNotNull();
        if (Arrays.equals(actual.dataOut(), actual.dataIn())) {
            throwAssertionError(BpfErrors.shouldHaveChangedData(actual.dataIn()));
        }
        return myself;
    }

    /**
     * The output holds {@code expected} at {@code offset}, and every other byte is as it was given: the
     * program changed exactly these bytes (or fewer, if some were already so).
     */
    public SELF hasDataChangedAt(int offset, byte... expected) {
        isNotNull();
        byte[] in = actual.dataIn();
        if (offset < 0 || offset + expected.length > in.length) {
            throw new IllegalArgumentException("offset " + offset + " and " + expected.length + " bytes reach past "
                    + "the " + in.length + " bytes of input data");
        }
        byte[] wanted = in.clone();
        System.arraycopy(expected, 0, wanted, offset, expected.length);
        if (!Arrays.equals(actual.dataOut(), wanted)) {
            failData("the output data (expected: the input with " + expected.length + " bytes at offset " + offset
                    + " replaced by " + HexDiff.hex(expected) + ")", wanted);
        }
        return myself;
    }

    /**
     * The program changed several regions: {@code hasDataChangedAt(Map.of(22, new byte[] {63}, 24, new byte[] {0x56,
     * (byte) 0x8f}))} for a TTL and the IPv4 checksum. The output holds each region's bytes at its offset and every
     * other byte is as it was given. Regions must not overlap.
     */
    public SELF hasDataChangedAt(java.util.Map<Integer, byte[]> regions) {
        isNotNull();
        Objects.requireNonNull(regions, "regions");
        byte[] in = actual.dataIn();
        byte[] wanted = in.clone();
        java.util.TreeMap<Integer, byte[]> sorted = new java.util.TreeMap<>(regions);
        int end = -1;
        StringBuilder described = new StringBuilder();
        for (java.util.Map.Entry<Integer, byte[]> r : sorted.entrySet()) {
            int offset = r.getKey();
            byte[] bytes = r.getValue();
            if (offset < 0 || offset + bytes.length > in.length) {
                throw new IllegalArgumentException("offset " + offset + " and " + bytes.length + " bytes reach past "
                        + "the " + in.length + " bytes of input data");
            }
            if (offset < end) {
                throw new IllegalArgumentException("the region at offset " + offset + " overlaps the one before it "
                        + "(which ends at " + end + ")");
            }
            end = offset + bytes.length;
            System.arraycopy(bytes, 0, wanted, offset, bytes.length);
            described.append(described.length() == 0 ? "" : ", ").append(HexDiff.hex(bytes)).append(" at ")
                    .append(offset);
        }
        if (!Arrays.equals(actual.dataOut(), wanted)) {
            failData("the output data (expected: the input with " + (sorted.isEmpty() ? "nothing changed"
                    : described.toString()) + ")", wanted);
        }
        return myself;
    }

    /**
     * The output data parsed as an Ethernet frame, for assertions on its headers:
     * {@code outputPacket().ipv4().hasTtl(63).udp().hasDestinationPort(53)}. When one fails, the input and output
     * packets are saved as a pcap file under {@code target/bpfunit/} and the message says where.
     */
    public PacketAssert outputPacket() {
        isNotNull();
        return new PacketAssert(Packet.parse(actual.dataOut()), Packet.parse(actual.dataIn()), "the output packet");
    }

    /**
     * The output data, parsed as an Ethernet frame, equals {@code expected}; the failure shows the fields that
     * differ, layer by layer, and saves the input, output and expected packets as a pcap file.
     */
    public SELF hasOutputPacket(Packet expected) {
        Objects.requireNonNull(expected, "expected packet");
        outputPacket().isEqualTo(expected);
        return myself;
    }

    /** Fails because the output is not {@code expected}: a packet diff when both are packets, else a hex diff. */
    private void failData(String what, byte[] expected) {
        byte[] out = actual.dataOut();
        Packet wanted = Packet.parse(expected);
        Packet got = Packet.parse(out);
        PacketDiff diff = PacketDiff.of(wanted, got);
        if (!FailedPackets.looksLikePacket(wanted) || !FailedPackets.looksLikePacket(got) || diff.isEmpty()) {
            throwAssertionError(BpfErrors.shouldHaveData(what, expected, out));
            return;
        }
        List<FailedPackets.Labeled> packets = new ArrayList<>(List.of(
                new FailedPackets.Labeled("input", Packet.parse(actual.dataIn())),
                new FailedPackets.Labeled("output", got)));
        if (!Arrays.equals(expected, actual.dataIn())) {
            packets.add(new FailedPackets.Labeled("expected", wanted));
        }
        throwAssertionError(BpfErrors.shouldHavePacketData(what, diff.toString(),
                HexDiff.firstDifference(expected, out), "  " + FailedPackets.save(packets)));
    }

    private static String describe(Verdict v) {
        return v.name() + " (" + v.raw() + ", " + v.getClass().getSimpleName() + ")";
    }
}
