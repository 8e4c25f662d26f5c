package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ProgramType;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The result of one {@code BPF_PROG_TEST_RUN}: what the program returned, the packet (or other data) and
 * context it left behind, and how long a run took.
 *
 * @param retval     the program's return value (see {@link #verdict()})
 * @param dataIn     the data the program was given
 * @param dataOut    the data after the run: the packet as the program left it (with XDP metadata in front,
 *                   if any), or the {@code bpf_flow_keys} of a flow dissector ({@link #flowKeys()})
 * @param contextOut the context after the run (empty when none was passed or the type has none)
 * @param durationNs the kernel's mean time of one repetition, in nanoseconds (0 where the kernel does not
 *                   measure it: raw tracepoint, syscall, tracing programs)
 * @param repeat     how many times the program ran
 * @param type       the program's type, which gives {@code retval} its meaning
 */
public record TestRun(int retval, byte[] dataIn, byte[] dataOut, byte[] contextOut, long durationNs, int repeat,
                      ProgramType type) {

    public TestRun {
        dataIn = copy(dataIn);
        dataOut = copy(dataOut);
        contextOut = copy(contextOut);
    }

    /** No array can be changed through this record: each is copied in and out (an empty one cannot change). */
    private static byte[] copy(byte[] bytes) {
        return bytes.length == 0 ? NONE : bytes.clone();
    }

    private static final byte[] NONE = {};

    @Override
    public byte[] dataIn() {
        return copy(dataIn);
    }

    @Override
    public byte[] dataOut() {
        return copy(dataOut);
    }

    @Override
    public byte[] contextOut() {
        return copy(contextOut);
    }

    /** The return value as a verdict of the program's type: an {@link XdpAction}, {@link TcAction}, ... */
    public Verdict verdict() {
        return Verdict.of(type, retval);
    }

    /** The return value as an XDP action; an error for another program type or an unknown value. */
    public XdpAction xdpAction() {
        requireVerdict("an XDP action", XdpAction.class);
        return XdpAction.of(retval);
    }

    /** The return value as a tc action; an error for another program type or an unknown value. */
    public TcAction tcAction() {
        requireVerdict("a tc action", TcAction.class);
        return TcAction.of(retval);
    }

    /** The return value as {@code SK_PASS}/{@code SK_DROP} (sk_lookup, cgroup_skb). */
    public SkAction skAction() {
        requireVerdict("an sk_action", SkAction.class);
        return SkAction.of(retval);
    }

    /** Whether the data out differs from the data in (the program rewrote, grew or shrank the packet). */
    public boolean dataChanged() {
        return !Arrays.equals(dataIn, dataOut);
    }

    /** The output {@code struct xdp_md}; needs a context passed in. */
    public XdpContext xdpContext() {
        return XdpContext.decode(contextOut);
    }

    /** The output {@code struct __sk_buff}; needs a context passed in. */
    public SkbContext skbContext() {
        return SkbContext.decode(contextOut);
    }

    /** The flow keys a flow dissector program filled (its data out). */
    public FlowKeys flowKeys() {
        requireType("flow keys", ProgramType.FLOW_DISSECTOR);
        return FlowKeys.decode(dataOut);
    }

    /** The output {@code struct bpf_sk_lookup}, whose cookie names the socket the program selected. */
    public SkLookupContext skLookupContext() {
        requireType("an sk_lookup context", ProgramType.SK_LOOKUP);
        return SkLookupContext.decode(contextOut);
    }

    private void requireVerdict(String what, Class<? extends Verdict> verdictType) {
        if (Verdict.typeOf(type) != verdictType) {
            throw notA(what);
        }
    }

    private void requireType(String what, ProgramType... types) {
        for (ProgramType t : types) {
            if (t == type) {
                return;
            }
        }
        throw notA(what);
    }

    private BpfException notA(String what) {
        return new BpfException("the run was of a " + type + " program, whose result is not " + what + " (retval "
                + retval + "); use verdict() or retval()");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestRun r && retval == r.retval && durationNs == r.durationNs && repeat == r.repeat
                && type == r.type && Arrays.equals(dataIn, r.dataIn) && Arrays.equals(dataOut, r.dataOut)
                && Arrays.equals(contextOut, r.contextOut);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * retval + Arrays.hashCode(dataIn)) + Arrays.hashCode(dataOut))
                + Arrays.hashCode(contextOut);
    }

    @Override
    public String toString() {
        return "TestRun[" + type + " " + verdict().name() + " (retval " + retval + "), data " + dataIn.length + " -> "
                + dataOut.length + " bytes" + (dataChanged() ? " (changed)" : "") + ", context out "
                + contextOut.length + " bytes, " + durationNs + " ns x " + repeat + "]";
    }

    /** The output data as hex, for failure messages. */
    public String dataOutHex() {
        return HexFormat.of().formatHex(dataOut);
    }
}
