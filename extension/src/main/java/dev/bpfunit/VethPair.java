package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.Rtnetlink;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A veth pair between two throwaway network namespaces, each end with an IPv4 address and up, for sending real
 * traffic through XDP, tc and socket programs: {@code veth0} ({@value #FIRST_ADDRESS}/24) in {@link #first()}'s
 * namespace, {@code veth1} ({@value #SECOND_ADDRESS}/24) in {@link #second()}'s.
 *
 * <pre>{@code
 * try (VethPair veth = VethPair.create();
 *      BpfObject obj = BpfObject.load(path)) {
 *     obj.program("xdp_drop").attachXdp(veth.first(), XdpMode.GENERIC);
 *     UdpSocket rx = veth.first().netns().udpSocket(veth.first().requireAddress(), 9000);
 *     UdpSocket tx = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
 *     tx.send(veth.first().requireAddress(), 9000, payload);
 * }
 * }</pre>
 *
 * <p>Both ends live in anonymous namespaces, so nothing appears in the test's own namespace ({@code ip link},
 * {@code ip netns}), and the pair disappears with its namespaces when it is closed or when the JVM dies.
 * {@link #create()} returns once both ends are operationally up, so the first datagrams are not lost to a link still
 * coming up.
 */
public final class VethPair implements AutoCloseable {
    /** The address of {@code veth0}. */
    public static final String FIRST_ADDRESS = "10.199.0.1";
    /** The address of {@code veth1}. */
    public static final String SECOND_ADDRESS = "10.199.0.2";
    /** How long {@link #create()} waits for both ends to come up. */
    static final Duration UP_TIMEOUT = Duration.ofSeconds(10);

    private final NetNs firstNs;
    private final NetNs secondNs;
    private final NetDevice first;
    private final NetDevice second;
    private boolean closed;

    private VethPair(NetNs firstNs, NetNs secondNs, NetDevice first, NetDevice second) {
        this.firstNs = firstNs;
        this.secondNs = secondNs;
        this.first = first;
        this.second = second;
    }

    /** Two new namespaces joined by a veth pair, addressed and up. */
    public static VethPair create() {
        return create("veth");
    }

    /** Two new namespaces joined by a pair of devices of this kind ({@code veth}, {@code netkit}). */
    static VethPair create(String kind) {
        List<AutoCloseable> made = new ArrayList<>();
        try {
            NetNs a = NetNs.create();
            made.add(a);
            NetNs b = NetNs.create();
            made.add(b);
            Inet4Address addrA = ipv4(FIRST_ADDRESS);
            Inet4Address addrB = ipv4(SECOND_ADDRESS);
            String n0 = kind.equals("veth") ? "veth0" : "nk0";
            String n1 = kind.equals("veth") ? "veth1" : "nk1";
            if (kind.equals("veth")) {
                a.rtnetlink().createVeth(n0, n1, b.fd());
            } else {
                a.rtnetlink().createNetkit(n0, n1, b.fd());
            }
            NetDevice first = new NetDevice(n0, a.device(n0).ifindex(), a, addrA);
            NetDevice second = new NetDevice(n1, b.device(n1).ifindex(), b, addrB);
            a.rtnetlink().addAddress(first.ifindex(), addrA, 24);
            b.rtnetlink().addAddress(second.ifindex(), addrB, 24);
            a.rtnetlink().setUp(first.ifindex(), true);
            b.rtnetlink().setUp(second.ifindex(), true);
            awaitOperational(first, second);
            return new VethPair(a, b, first, second);
        } catch (RuntimeException e) {
            try {
                java.util.Collections.reverse(made);
                dev.bpfunit.error.Closeables.closeAll(made);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** {@code veth0} in the first namespace. */
    public NetDevice first() {
        return first;
    }

    /** {@code veth1} in the second namespace. */
    public NetDevice second() {
        return second;
    }

    /** Waits (bounded) until both ends report operational state UP, polling netlink. */
    static void awaitOperational(NetDevice... devices) {
        long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
        for (NetDevice d : devices) {
            while (true) {
                Rtnetlink.LinkState s = d.state();
                if (s.operational()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new BpfException(d + " is not operational after " + UP_TIMEOUT.toSeconds() + " s (admin "
                            + (s.up() ? "up" : "down") + ", operstate " + s.operState() + ", "
                            + Rtnetlink.IF_OPER_UP + " is up)");
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BpfException("interrupted while waiting for " + d + " to come up", e);
                }
            }
        }
    }

    static Inet4Address ipv4(String address) {
        try {
            return (Inet4Address) InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** Deletes the pair and closes both namespaces (and the sockets made in them). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> all = new ArrayList<>();
        all.add(() -> firstNs.rtnetlink().deleteLink(first.ifindex()));
        all.add(secondNs);
        all.add(firstNs);
        dev.bpfunit.error.Closeables.closeAll(all);
    }

    @Override
    public String toString() {
        return "veth pair " + first + " <-> " + second;
    }
}
