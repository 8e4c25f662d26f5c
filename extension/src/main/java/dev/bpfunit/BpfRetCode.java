package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.util.Optional;

/** The verdict of lightweight tunnel and flow dissector programs ({@code enum bpf_ret_code}). */
public enum BpfRetCode implements Verdict {
    /** {@code BPF_OK}: go on (lwt), the flow keys are valid (flow dissector). */
    OK(0),
    /** {@code BPF_DROP}. */
    DROP(2),
    /** {@code BPF_REDIRECT}: lwt_xmit only. */
    REDIRECT(7),
    /** {@code BPF_LWT_REROUTE}: lwt_in and lwt_xmit after encapsulation. */
    LWT_REROUTE(128),
    /** {@code BPF_FLOW_DISSECTOR_CONTINUE}: let the kernel's own dissector do it. */
    FLOW_DISSECTOR_CONTINUE(129);

    private final int raw;

    BpfRetCode(int raw) {
        this.raw = raw;
    }

    @Override
    public int raw() {
        return raw;
    }

    /** The verdict with this value, if it is one; see {@link #of(int)}. */
    public static Optional<BpfRetCode> find(int raw) {
        return RunKind.find(BpfRetCode.class, raw);
    }

    /** The verdict with this value; an unknown value is refused with the list of known ones. */
    public static BpfRetCode of(int raw) {
        return find(raw).orElseThrow(() -> new BpfException(raw + " is not a BPF return code (enum bpf_ret_code) value; known: "
                + Verdict.known(BpfRetCode.class)));
    }
}
