package dev.bpfunit.sys;

import com.sun.jna.Native;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * IPv4 sockets as kernel file descriptors (UDP and TCP), for fixtures that send and receive real traffic and for
 * programs attached to a socket ({@code SO_ATTACH_BPF}) or put in a sockmap. A socket belongs to the network
 * namespace of the thread that created it.
 */
public final class Sockets {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }


    /** A datagram and who sent it. */
    public record Datagram(byte[] data, InetSocketAddress from) {
    }

    private Sockets() {
    }

    /** A new UDP/IPv4 socket bound to {@code address:port} (port 0: any free port). */
    public static Fd udp(InetAddress address, int port) {
        return bound(NetLibc.SOCK_DGRAM, address, port, "UDP socket");
    }

    /** A new TCP/IPv4 socket bound to {@code address:port} (port 0: any free port), not yet listening. */
    public static Fd tcp(InetAddress address, int port) {
        Fd fd = bound(NetLibc.SOCK_STREAM, address, port, "TCP socket");
        return fd;
    }

    private static Fd bound(int type, InetAddress address, int port, String what) {
        int raw = NetLibc.socket(NetLibc.AF_INET, type | NetLibc.SOCK_CLOEXEC, 0);
        if (raw < 0) {
            throw failure("socket(AF_INET)", what);
        }
        Fd fd = Fd.adopt(raw, what + " " + address.getHostAddress() + ":" + port);
        try {
            if (type == NetLibc.SOCK_STREAM) {
                byte[] one = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
                NetLibc.setsockopt(fd.raw(), NetLibc.SOL_SOCKET, NetLibc.SO_REUSEADDR, one, 4);
            }
            if (NetLibc.bind(fd.raw(), sockaddr(address, port), NetLibc.SOCKADDR_IN_SIZE) < 0) {
                throw failure("bind(" + address.getHostAddress() + ":" + port + ")", fd.toString());
            }
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The address and port the socket is bound to ({@code getsockname}). */
    public static InetSocketAddress localAddress(Fd socket) {
        byte[] addr = new byte[NetLibc.SOCKADDR_IN_SIZE];
        int[] len = {addr.length};
        if (NetLibc.getsockname(socket.raw(), addr, len) < 0) {
            throw failure("getsockname", socket.toString());
        }
        return address(addr);
    }

    /** Sends one datagram (UDP) or bytes (connected TCP) to {@code to}; null {@code to} for a connected socket. */
    public static void send(Fd socket, byte[] data, InetSocketAddress to) {
        byte[] addr = to == null ? null : sockaddr(to.getAddress(), to.getPort());
        long n = NetLibc.sendto(socket.raw(), data, data.length, 0, addr, addr == null ? 0 : addr.length);
        if (n < 0) {
            throw failure("sendto(" + (to == null ? "connected peer" : to) + ")", socket.toString());
        }
        if (n != data.length) {
            throw new dev.bpfunit.error.BpfException("sendto on " + socket + ": sent " + n + " of " + data.length + " bytes");
        }
    }

    /**
     * Receives one datagram (or what a TCP socket has, up to {@code maxLength} bytes), waiting at most
     * {@code timeoutMillis}; empty when nothing came in time.
     */
    public static Optional<Datagram> receive(Fd socket, int maxLength, long timeoutMillis) {
        long t = Math.max(1, timeoutMillis);
        byte[] tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(t / 1000)
                .putLong((t % 1000) * 1000).array();   // struct timeval: tv_sec, tv_usec
        if (NetLibc.setsockopt(socket.raw(), NetLibc.SOL_SOCKET, NetLibc.SO_RCVTIMEO, tv, tv.length) < 0) {
            throw failure("setsockopt(SO_RCVTIMEO)", socket.toString());
        }
        byte[] buf = new byte[maxLength];
        byte[] addr = new byte[NetLibc.SOCKADDR_IN_SIZE];
        int[] len = {addr.length};
        long n = NetLibc.recvfrom(socket.raw(), buf, buf.length, 0, addr, len);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN.number() || errno == Errno.EINTR.number()) {
                return Optional.empty();
            }
            throw new BpfSyscallException("recvfrom", errno, socket.toString(), Hints.forSyscall(errno));
        }
        InetSocketAddress from = len[0] >= 8 && addr[0] == NetLibc.AF_INET ? address(addr) : null;
        return Optional.of(new Datagram(Arrays.copyOf(buf, (int) n), from));
    }

    /** Connects the socket ({@code connect(2)}): a TCP handshake, or a UDP socket's default peer. */
    public static void connect(Fd socket, InetSocketAddress to) {
        if (NetLibc.connect(socket.raw(), sockaddr(to.getAddress(), to.getPort()), NetLibc.SOCKADDR_IN_SIZE) < 0) {
            throw failure("connect(" + to + ")", socket.toString());
        }
    }

    /** Makes a TCP socket listen ({@code listen(2)}). */
    public static void listen(Fd socket, int backlog) {
        if (NetLibc.listen(socket.raw(), backlog) < 0) {
            throw failure("listen", socket.toString());
        }
    }

    /** Accepts one connection on a listening TCP socket (blocks). */
    public static Fd accept(Fd socket) {
        byte[] addr = new byte[NetLibc.SOCKADDR_IN_SIZE];
        int[] len = {addr.length};
        int raw = NetLibc.accept4(socket.raw(), addr, len, NetLibc.SOCK_CLOEXEC);
        if (raw < 0) {
            throw failure("accept4", socket.toString());
        }
        return Fd.adopt(raw, "TCP connection from " + address(addr) + " to " + localAddress(socket));
    }

    /** Attaches a socket filter program to the socket ({@code setsockopt(SO_ATTACH_BPF)}). */
    public static void attachBpf(Fd socket, Fd program) {
        byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(program.raw()).array();
        if (NetLibc.setsockopt(socket.raw(), NetLibc.SOL_SOCKET, NetLibc.SO_ATTACH_BPF, v, 4) < 0) {
            throw failure("setsockopt(SO_ATTACH_BPF, " + program + ")", socket.toString());
        }
    }

    /** Detaches the socket's filter ({@code setsockopt(SO_DETACH_BPF)}); ENOENT (none attached) is ignored. */
    public static void detachBpf(Fd socket) {
        byte[] v = new byte[4];
        if (NetLibc.setsockopt(socket.raw(), NetLibc.SOL_SOCKET, NetLibc.SO_DETACH_BPF, v, 4) < 0) {
            int errno = Native.getLastError();
            if (errno != Errno.ENOENT.number()) {
                throw new BpfSyscallException("setsockopt(SO_DETACH_BPF)", errno, socket.toString(),
                        Hints.forSyscall(errno));
            }
        }
    }

    static byte[] sockaddr(InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException(address + " is not an IPv4 address (bpfunit's sockets are IPv4)");
        }
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        ByteBuffer b = ByteBuffer.allocate(NetLibc.SOCKADDR_IN_SIZE).order(ByteOrder.nativeOrder());
        b.putShort((short) NetLibc.AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port);
        b.put(address.getAddress());
        return b.array();
    }

    static InetSocketAddress address(byte[] sockaddr) {
        int port = ((sockaddr[2] & 0xff) << 8) | (sockaddr[3] & 0xff);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 4, 8)), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BpfSyscallException failure(String call, String subject) {
        int errno = Native.getLastError();
        return new BpfSyscallException(call, errno, subject, Hints.forSyscall(errno));
    }
}
