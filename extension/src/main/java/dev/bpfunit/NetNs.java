package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.Namespaces;
import dev.bpfunit.sys.Rtnetlink;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway network namespace for a test: anonymous (never mounted under {@code /var/run/netns}, so {@code ip
 * netns} does not list it), entered by one dedicated thread that runs whatever must happen inside it, and gone when
 * it is closed or when the JVM dies, whatever killed it.
 *
 * <p>In Linux a network namespace belongs to a thread, not to a process: sockets are created, devices looked up by
 * index and programs attached to devices by {@link #call(Callable)}, which runs the code on the namespace's thread.
 * A socket stays in the namespace it was created in whichever thread uses it later. A thread started by code inside
 * {@code call} is born in the namespace and keeps it alive until that thread ends: start executors outside.
 */
public final class NetNs implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String name;
    private final ExecutorService thread;
    private final Fd fd;
    private final long inode;
    private final Rtnetlink rtnl;
    private final List<AutoCloseable> owned = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private NetNs(String name, ExecutorService thread, Fd fd, long inode, Rtnetlink rtnl) {
        this.name = name;
        this.thread = thread;
        this.fd = fd;
        this.inode = inode;
        this.rtnl = rtnl;
    }

    /** A new network namespace whose loopback device is up. */
    public static NetNs create() {
        String name = "bpfunit-netns-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        // started here, not by the namespace's thread, where they would stay in the namespace for good
        Namespaces.startHelperThreads();
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        record Made(Fd fd, long inode, Rtnetlink rtnl) {
        }
        try {
            Made made = await(thread.submit(() -> {
                Namespaces.unshareNetwork();
                Fd fd = Namespaces.currentNetwork("network namespace " + name);
                Rtnetlink rtnl = null;
                try {
                    rtnl = Rtnetlink.open("rtnetlink of " + name);
                    rtnl.setUp(Namespaces.ifindex("lo"), true);
                    return new Made(fd, Namespaces.currentNetworkInode(), rtnl);
                } catch (RuntimeException e) {
                    if (rtnl != null) {
                        rtnl.close();
                    }
                    fd.close();
                    throw e;
                }
            }), "create " + name);
            return new NetNs(name, thread, made.fd(), made.inode(), made.rtnl());
        } catch (RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
    }

    /** Runs {@code task} inside the namespace (on its thread) and returns its result; its exception is rethrown. */
    public <T> T call(Callable<T> task) {
        requireOpen();
        return await(thread.submit(() -> {
            long here = Namespaces.currentNetworkInode();
            if (here != inode) {   // never expected: the executor replaced its thread
                throw new BpfException(name + ": its thread " + Thread.currentThread().getName()
                        + " is in network namespace " + here + ", not " + inode);
            }
            return task.call();
        }), name);
    }

    /** Runs {@code task} inside the namespace (on its thread). */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** A name for messages ({@code bpfunit-netns-<pid>-<n>}); the namespace itself has no name in the kernel. */
    public String name() {
        return name;
    }

    /** The inode number that identifies the namespace ({@code lsns -t net}, {@code /proc/<pid>/ns/net}). */
    public long inode() {
        return inode;
    }

    /** A descriptor of the namespace, the target of {@code sk_lookup} programs. */
    Fd fd() {
        requireOpen();
        return fd;
    }

    /** The device with this name in the namespace. */
    public NetDevice device(String deviceName) {
        int ifindex = call(() -> Namespaces.ifindex(deviceName));
        if (ifindex == 0) {
            throw new BpfException("no device '" + deviceName + "' in " + name);
        }
        return new NetDevice(deviceName, ifindex, this, null);
    }

    /** A UDP socket in the namespace, bound to {@code address:port} (port 0: a free port); closed with the namespace. */
    public UdpSocket udpSocket(InetAddress address, int port) {
        UdpSocket s = call(() -> new UdpSocket(this, address, port));
        own(s);
        return s;
    }

    /** A TCP socket in the namespace, listening on {@code address:port} (port 0: a free port). */
    public TcpSocket tcpListen(InetAddress address, int port) {
        TcpSocket s = call(() -> TcpSocket.listen(this, address, port));
        own(s);
        return s;
    }

    /** A TCP connection from this namespace to {@code address:port} (blocks until connected). */
    public TcpSocket tcpConnect(InetAddress address, int port) {
        TcpSocket s = call(() -> TcpSocket.connect(this, address, port));
        own(s);
        return s;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    Rtnetlink rtnetlink() {
        requireOpen();
        return rtnl;
    }

    void own(AutoCloseable resource) {
        owned.add(resource);
    }

    private void requireOpen() {
        if (closed) {
            throw new BpfException(name + " is closed");
        }
    }

    /** Closes the sockets made here, then the namespace's descriptors, and ends its thread: the namespace is gone. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> all;
        synchronized (owned) {
            all = new ArrayList<>(owned);
        }
        Collections.reverse(all);
        all.add(rtnl);
        all.add(fd);
        try {
            dev.bpfunit.error.Closeables.closeAll(all);
        } finally {
            thread.shutdownNow();
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static <T> T await(Future<T> f, String what) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new BpfException(what + ": " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new BpfException(what + ": interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "network namespace " + name + " (inode " + inode + ")" + (closed ? " (closed)" : "");
    }
}
