package dev.bpfunit;

import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.Sockets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A TCP/IPv4 socket in a {@link NetNs} (a listener or a connection), for real streams and for programs attached to
 * sockets or to the sockmaps that hold them ({@link BpfMap#update} with {@link #fd()} as the value).
 */
public final class TcpSocket implements AutoCloseable {
    private final NetNs netns;
    private final Fd fd;

    private TcpSocket(NetNs netns, Fd fd) {
        this.netns = netns;
        this.fd = fd;
    }

    /** Must run on the namespace's thread. */
    static TcpSocket listen(NetNs netns, InetAddress address, int port) {
        Fd fd = Sockets.tcp(address, port);
        try {
            Sockets.listen(fd, 16);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        return new TcpSocket(netns, fd);
    }

    /** Must run on the namespace's thread. */
    static TcpSocket connect(NetNs netns, InetAddress address, int port) {
        Fd fd = Sockets.tcp(anyAddress(), 0);
        try {
            Sockets.connect(fd, new InetSocketAddress(address, port));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        return new TcpSocket(netns, fd);
    }

    private static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Accepts the next connection of a listening socket (blocks); the connection is closed with the namespace. */
    public TcpSocket accept() {
        TcpSocket s = new TcpSocket(netns, Sockets.accept(fd));
        netns.own(s);
        return s;
    }

    /** The local address and port. */
    public InetSocketAddress localAddress() {
        return Sockets.localAddress(fd);
    }

    /** The socket's descriptor. */
    Fd fd() {
        return fd;
    }

    /**
     * The number of the socket's descriptor: the value to put in a sockmap or sockhash. Closed with the socket.
     *
     * @throws dev.bpfunit.error.BpfException once it is closed
     */
    public int rawFd() {
        return fd.raw();
    }

    /** Writes all of {@code data} to the connection. */
    public void send(byte[] data) {
        Sockets.send(fd, data, null);
    }

    /** What the connection has to read (at most {@code max} bytes), waiting at most {@code timeout}. */
    public Optional<byte[]> receive(int max, Duration timeout) {
        return Sockets.receive(fd, max, timeout.toMillis()).map(Sockets.Datagram::data);
    }

    /** Closes the socket. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "TCP socket " + fd + " in " + netns.name();
    }
}
