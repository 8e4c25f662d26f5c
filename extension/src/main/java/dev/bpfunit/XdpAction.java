package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.util.Optional;

/** The verdict of an XDP program ({@code enum xdp_action}). */
public enum XdpAction implements Verdict {
    /** {@code XDP_ABORTED}: an error; the frame is dropped and the {@code xdp_exception} tracepoint fires. */
    ABORTED(0),
    /** {@code XDP_DROP}. */
    DROP(1),
    /** {@code XDP_PASS}: on to the network stack. */
    PASS(2),
    /** {@code XDP_TX}: back out of the interface it came in on. */
    TX(3),
    /** {@code XDP_REDIRECT}: to another interface, CPU or socket ({@code bpf_redirect*}). */
    REDIRECT(4);

    private final int raw;

    XdpAction(int raw) {
        this.raw = raw;
    }

    @Override
    public int raw() {
        return raw;
    }

    /** The verdict with this value, if it is one; see {@link #of(int)}. */
    public static Optional<XdpAction> find(int raw) {
        return RunKind.find(XdpAction.class, raw);
    }

    /** The verdict with this value; an unknown value is refused with the list of known ones. */
    public static XdpAction of(int raw) {
        return find(raw).orElseThrow(() -> new BpfException(raw + " is not a XDP action (enum xdp_action) value; known: "
                + Verdict.known(XdpAction.class)));
    }
}
