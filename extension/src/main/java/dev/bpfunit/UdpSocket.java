package dev.bpfunit;

import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.Sockets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A UDP/IPv4 socket in a {@link NetNs}, for sending and receiving real datagrams through the namespace's devices
 * and for socket filter programs ({@link BpfProgram#attachToSocket}).
 */
public final class UdpSocket implements AutoCloseable {

    /** A datagram received and its sender. */
    public record Datagram(byte[] data, InetSocketAddress from) {
    }

    private static final int MAX_DATAGRAM = 65535;

    private final NetNs netns;
    private final Fd fd;
    private final InetSocketAddress local;

    /** Must run on the namespace's thread. */
    UdpSocket(NetNs netns, InetAddress address, int port) {
        this.netns = netns;
        this.fd = Sockets.udp(address, port);
        this.local = Sockets.localAddress(fd);
    }

    /** The address and port the socket is bound to. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The port the socket is bound to. */
    public int port() {
        return local.getPort();
    }

    /** The namespace the socket lives in. */
    public NetNs netns() {
        return netns;
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

    /** Sends one datagram to {@code address:port}. */
    public void send(InetAddress address, int port, byte[] data) {
        Sockets.send(fd, data, new InetSocketAddress(address, port));
    }

    /** Sends one datagram to {@code to}. */
    public void send(InetSocketAddress to, byte[] data) {
        Sockets.send(fd, data, to);
    }

    /** The next datagram, waiting at most {@code timeout}; empty if none came. */
    public Optional<Datagram> receive(Duration timeout) {
        return Sockets.receive(fd, MAX_DATAGRAM, timeout.toMillis()).map(d -> new Datagram(d.data(), d.from()));
    }

    /**
     * Every datagram that arrives until none has come for {@code quiet} (at most {@code max} of them), oldest first:
     * what a test sent, once it is all delivered.
     */
    public List<Datagram> receiveUntilQuiet(Duration quiet, int max) {
        List<Datagram> all = new ArrayList<>();
        while (all.size() < max) {
            Optional<Datagram> d = receive(quiet);
            if (d.isEmpty()) {
                break;
            }
            all.add(d.get());
        }
        return all;
    }

    /** Closes the socket. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "UDP socket " + local + " in " + netns.name();
    }
}
