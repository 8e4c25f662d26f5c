package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The {@code struct bpf_sk_lookup} of an sk_lookup test run: the connection or datagram the kernel is
 * finding a socket for. After the run, {@link #cookie()} of the decoded output is the cookie of the
 * socket the program selected with {@code bpf_sk_assign}, or 0.
 *
 * @param family     {@code AF_INET} (2) or {@code AF_INET6} (10)
 * @param protocol   {@code IPPROTO_TCP} (6) or {@code IPPROTO_UDP} (17)
 * @param remote     the remote address
 * @param remotePort the remote port
 * @param local      the local address
 * @param localPort  the local port
 * @param cookie     output only: the selected socket's cookie
 */
public record SkLookupContext(int family, int protocol, InetAddress remote, int remotePort, InetAddress local,
                              int localPort, long cookie) implements RunContext {
    /** {@code sizeof(struct bpf_sk_lookup)}. */
    public static final int SIZE = 72;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    static final int COOKIE = 0;
    static final int FAMILY = 8;
    static final int PROTOCOL = 12;
    static final int REMOTE_IP4 = 16;
    static final int REMOTE_IP6 = 20;
    static final int REMOTE_PORT = 36;
    static final int LOCAL_IP4 = 40;
    static final int LOCAL_IP6 = 44;
    static final int LOCAL_PORT = 60;

    public SkLookupContext {
        java.util.Objects.requireNonNull(remote, "remote");
        java.util.Objects.requireNonNull(local, "local");
        if (remote.getClass() != local.getClass()) {
            throw new IllegalArgumentException("remote " + remote + " and local " + local + " must both be IPv4 or "
                    + "both IPv6");
        }
        Contexts.checkU16("remotePort", remotePort);
        Contexts.checkU16("localPort", localPort);
    }

    /** A TCP connection from {@code remote} to {@code local}. */
    public static SkLookupContext tcp(InetSocketAddress remote, InetSocketAddress local) {
        return of(IPPROTO_TCP, remote, local);
    }

    /** A UDP datagram from {@code remote} to {@code local}. */
    public static SkLookupContext udp(InetSocketAddress remote, InetSocketAddress local) {
        return of(IPPROTO_UDP, remote, local);
    }

    private static SkLookupContext of(int protocol, InetSocketAddress remote, InetSocketAddress local) {
        if (remote.isUnresolved() || local.isUnresolved()) {
            throw new IllegalArgumentException("sk_lookup addresses must be resolved: " + remote + ", " + local);
        }
        InetAddress r = remote.getAddress();
        return new SkLookupContext(r instanceof Inet6Address ? AF_INET6 : AF_INET, protocol, r, remote.getPort(),
                local.getAddress(), local.getPort(), 0);
    }

    /** Decodes the kernel's output context. */
    public static SkLookupContext decode(byte[] bytes) {
        ByteBuffer b = Contexts.reader(bytes, SIZE, "struct bpf_sk_lookup");
        int family = b.getInt(FAMILY);
        boolean v6 = family == AF_INET6;
        InetAddress remote = Contexts.address(v6 ? Contexts.slice(b, REMOTE_IP6, 16) : Contexts.slice(b, REMOTE_IP4, 4));
        InetAddress local = Contexts.address(v6 ? Contexts.slice(b, LOCAL_IP6, 16) : Contexts.slice(b, LOCAL_IP4, 4));
        int remotePort = ((b.get(REMOTE_PORT) & 0xff) << 8) | (b.get(REMOTE_PORT + 1) & 0xff);
        return new SkLookupContext(family, b.getInt(PROTOCOL), remote, remotePort, local, b.getInt(LOCAL_PORT),
                b.getLong(COOKIE));
    }

    /** Encodes the input; the kernel requires {@code sk}/{@code cookie} and {@code ingress_ifindex} to be 0. */
    @Override
    public byte[] encode() {
        ByteBuffer b = Contexts.writer(SIZE);
        b.putInt(FAMILY, family).putInt(PROTOCOL, protocol);
        if (remote instanceof Inet4Address) {
            b.put(REMOTE_IP4, remote.getAddress()).put(LOCAL_IP4, local.getAddress());
        } else {
            b.put(REMOTE_IP6, remote.getAddress()).put(LOCAL_IP6, local.getAddress());
        }
        b.put(REMOTE_PORT, (byte) (remotePort >> 8)).put(REMOTE_PORT + 1, (byte) remotePort);
        b.putInt(LOCAL_PORT, localPort);
        return b.array();
    }

    @Override
    public String kernelStruct() {
        return "struct bpf_sk_lookup";
    }

    @Override
    public RunKind kind() {
        return RunKind.SK_LOOKUP;
    }
}
