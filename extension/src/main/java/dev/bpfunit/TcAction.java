package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.util.Optional;

/** The verdict of a tc classifier or action program ({@code TC_ACT_*} of {@code linux/pkt_cls.h}). */
public enum TcAction implements Verdict {
    /** {@code TC_ACT_UNSPEC}: use the default action configured in tc. */
    UNSPEC(-1),
    /** {@code TC_ACT_OK}: let the packet through. */
    OK(0),
    /** {@code TC_ACT_RECLASSIFY}. */
    RECLASSIFY(1),
    /** {@code TC_ACT_SHOT}: drop. */
    SHOT(2),
    /** {@code TC_ACT_PIPE}: on to the next action. */
    PIPE(3),
    /** {@code TC_ACT_STOLEN}: consumed. */
    STOLEN(4),
    /** {@code TC_ACT_QUEUED}. */
    QUEUED(5),
    /** {@code TC_ACT_REPEAT}. */
    REPEAT(6),
    /** {@code TC_ACT_REDIRECT}: {@code bpf_redirect} was called. */
    REDIRECT(7),
    /** {@code TC_ACT_TRAP}. */
    TRAP(8);

    private final int raw;

    TcAction(int raw) {
        this.raw = raw;
    }

    @Override
    public int raw() {
        return raw;
    }

    /** The verdict with this value, if it is one; see {@link #of(int)}. */
    public static Optional<TcAction> find(int raw) {
        return RunKind.find(TcAction.class, raw);
    }

    /** The verdict with this value; an unknown value is refused with the list of known ones. */
    public static TcAction of(int raw) {
        return find(raw).orElseThrow(() -> new BpfException(raw + " is not a tc action (TC_ACT_*) value; known: "
                + Verdict.known(TcAction.class)));
    }
}
