package dev.bpfunit;

/**
 * A netkit pair (Linux 6.7) in L2 mode between two throwaway network namespaces, addressed and up like a
 * {@link VethPair}: {@code nk0} ({@value VethPair#FIRST_ADDRESS}/24) is the primary device, {@code nk1}
 * ({@value VethPair#SECOND_ADDRESS}/24) its peer. Programs for either side attach to the primary
 * ({@link BpfProgram#attachNetkit}): {@code NETKIT_PRIMARY} sees what the primary sends, {@code NETKIT_PEER} what
 * the peer sends.
 */
public final class NetkitPair implements AutoCloseable {
    private final VethPair pair;

    private NetkitPair(VethPair pair) {
        this.pair = pair;
    }

    /** Two new namespaces joined by a netkit pair; fails on kernels without netkit. */
    public static NetkitPair create() {
        return new NetkitPair(VethPair.create("netkit"));
    }

    /** {@code nk0}, the primary device, in the first namespace: the target of netkit programs for both sides. */
    public NetDevice primary() {
        return pair.first();
    }

    /** {@code nk1}, the peer device, in the second namespace. */
    public NetDevice peer() {
        return pair.second();
    }

    /**
     * Why netkit pairs cannot be made on this kernel ({@code CONFIG_NETKIT}, Linux 6.7), found once by making one;
     * empty when they can.
     */
    public static synchronized java.util.Optional<String> unavailableReason() {
        if (unavailable == null) {
            try (NetkitPair probe = create()) {
                unavailable = java.util.Optional.empty();
            } catch (dev.bpfunit.error.BpfException e) {
                unavailable = java.util.Optional.of("kernel " + dev.bpfunit.sys.SystemInfo.kernelRelease()
                        + " cannot create netkit devices (" + e.getMessage() + "): netkit needs Linux 6.7 with CONFIG_NETKIT");
            }
        }
        return unavailable;
    }

    private static java.util.Optional<String> unavailable;

    /** Deletes the pair and closes both namespaces. */
    @Override
    public void close() {
        pair.close();
    }

    @Override
    public String toString() {
        return "netkit pair " + primary() + " <-> " + peer();
    }
}
