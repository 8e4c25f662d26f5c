package dev.bpfunit;

import dev.bpfunit.sys.BpfConstants;

/** Where an XDP program attached to a device runs ({@code XDP_FLAGS_*}). */
public enum XdpMode {
    /** The kernel's choice: native where the driver supports XDP, generic otherwise. */
    DEFAULT(0),
    /** Generic (skb) mode: in the network stack, on any device; slower, but what tests on veth use. */
    GENERIC(BpfConstants.XDP_FLAGS_SKB_MODE),
    /** Native (driver) mode: in the driver, on devices whose driver supports XDP (veth does). */
    NATIVE(BpfConstants.XDP_FLAGS_DRV_MODE),
    /** Offloaded to the NIC, on devices that offload XDP (a few SmartNICs; never veth). */
    OFFLOAD(BpfConstants.XDP_FLAGS_HW_MODE);

    private final int flags;

    XdpMode(int flags) {
        this.flags = flags;
    }

    /** The {@code XDP_FLAGS_*} value of the mode. */
    public int flags() {
        return flags;
    }
}
