package dev.bpfunit;

import dev.bpfunit.spec.AttachType;

/** Which way a tc program sees a device's packets: arriving (ingress) or leaving (egress). */
public enum TcDirection {
    INGRESS(AttachType.TCX_INGRESS),
    EGRESS(AttachType.TCX_EGRESS);

    private final AttachType tcx;

    TcDirection(AttachType tcx) {
        this.tcx = tcx;
    }

    /** The attach type of a TCX link in this direction (Linux 6.6). */
    public AttachType tcxAttachType() {
        return tcx;
    }
}
