package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.util.Optional;

/** The verdict of socket-level programs that allow or refuse ({@code enum sk_action}): sk_lookup, cgroup_skb (1 allows, 0 drops). */
public enum SkAction implements Verdict {
    /** {@code SK_DROP}. */
    DROP(0),
    /** {@code SK_PASS}. */
    PASS(1);

    private final int raw;

    SkAction(int raw) {
        this.raw = raw;
    }

    @Override
    public int raw() {
        return raw;
    }

    /** The verdict with this value, if it is one; see {@link #of(int)}. */
    public static Optional<SkAction> find(int raw) {
        return RunKind.find(SkAction.class, raw);
    }

    /** The verdict with this value; an unknown value is refused with the list of known ones. */
    public static SkAction of(int raw) {
        return find(raw).orElseThrow(() -> new BpfException(raw + " is not a socket verdict (enum sk_action) value; known: "
                + Verdict.known(SkAction.class)));
    }
}
