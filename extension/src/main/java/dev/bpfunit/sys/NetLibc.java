package dev.bpfunit.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The libc functions of sockets, netlink and namespaces that bpfunit's live fixtures call, bound with JNA direct
 * mapping; nothing outside this package touches them. Like {@link Libc}, each returns the raw C result and a caller
 * that sees the failure value reads {@link Native#getLastError()} at once.
 */
final class NetLibc {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    static final int AF_INET = 2;
    static final int AF_NETLINK = 16;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 02000000;
    static final int NETLINK_ROUTE = 0;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;       // struct timeval (old layout: 16 bytes on 64-bit)
    static final int SO_REUSEADDR = 2;
    static final int SO_ATTACH_BPF = 50;
    static final int SO_DETACH_BPF = 27;     // = SO_DETACH_FILTER
    static final int SOL_NETLINK = 270;
    static final int NETLINK_EXT_ACK = 11;
    static final int CLONE_NEWNET = 0x40000000;
    static final int MSG_DONTWAIT = 0x40;
    /** {@code struct sockaddr_in}: family, port, address, padding. */
    static final int SOCKADDR_IN_SIZE = 16;
    /** {@code struct sockaddr_nl}: family, pad, pid, groups. */
    static final int SOCKADDR_NL_SIZE = 12;

    static {
        Native.register(NetLibc.class, Platform.C_LIBRARY_NAME);
    }

    private NetLibc() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, byte[] addr, int len);

    static native int connect(int fd, byte[] addr, int len);

    static native int listen(int fd, int backlog);

    static native int accept4(int fd, byte[] addr, int[] len, int flags);

    static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen);

    static native long recvfrom(int fd, byte[] buf, long len, int flags, byte[] addr, int[] addrLen);

    static native int setsockopt(int fd, int level, int name, byte[] value, int len);

    static native int getsockname(int fd, byte[] addr, int[] len);

    static native int unshare(int flags);

    static native int setns(int fd, int nstype);

    static native int if_nametoindex(String name);

    static native int kill(int pid, int sig);
}
