package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.Rtnetlink;
import java.net.Inet4Address;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/** A network device in a {@link NetNs}: its name, index and IPv4 address, the target of XDP and tc programs. */
public final class NetDevice {
    private final String name;
    private final int ifindex;
    private final NetNs netns;
    private final Inet4Address address;

    NetDevice(String name, int ifindex, NetNs netns, Inet4Address address) {
        this.name = Objects.requireNonNull(name, "name");
        this.ifindex = ifindex;
        this.netns = Objects.requireNonNull(netns, "netns");
        this.address = address;
    }

    /** The device's name in its namespace ({@code veth0}). */
    public String name() {
        return name;
    }

    /** The device's index in its namespace. */
    public int ifindex() {
        return ifindex;
    }

    /** The namespace the device is in. */
    public NetNs netns() {
        return netns;
    }

    /** The IPv4 address the fixture gave the device, if any. */
    public Optional<Inet4Address> address() {
        return Optional.ofNullable(address);
    }

    /** The device's IPv4 address; fails if the fixture gave it none. */
    public Inet4Address requireAddress() {
        if (address == null) {
            throw new BpfException(this + " has no IPv4 address");
        }
        return address;
    }

    /** The device's MAC address, as the kernel reports it now. */
    public byte[] mac() {
        return state().mac();
    }

    /** Whether the device is up with its carrier on (operational state UP). */
    public boolean isOperational() {
        return state().operational();
    }

    Rtnetlink.LinkState state() {
        return netns.rtnetlink().link(ifindex);
    }

    @Override
    public String toString() {
        return name + " (ifindex " + ifindex + (address == null ? "" : ", " + address.getHostAddress()) + ") in "
                + netns.name();
    }

    static String mac(byte[] mac) {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }
}
