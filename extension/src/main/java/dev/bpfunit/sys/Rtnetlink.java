package dev.bpfunit.sys;

import com.sun.jna.Native;
import dev.bpfunit.error.BpfException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * A {@code NETLINK_ROUTE} socket: creates and deletes veth pairs, sets addresses and link state, reads a link's
 * operational state, sets XDP on a device ({@code IFLA_XDP}) and manages clsact qdiscs and tc BPF filters. The
 * socket works on the network namespace of the thread that opened it, whatever thread uses it later; calls are
 * synchronized (one request at a time, each acknowledged before the next).
 */
public final class Rtnetlink implements AutoCloseable {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    // netlink message header (struct nlmsghdr) and flags
    static final int NLMSG_HDRLEN = 16;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int NLM_F_CAPPED = 0x100;     // in an NLMSG_ERROR's flags
    static final int NLM_F_ACK_TLVS = 0x200;   // in an NLMSG_ERROR's flags
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int NLA_F_NESTED = 0x8000;
    // rtnetlink message types
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_NEWQDISC = 36;
    static final int RTM_DELQDISC = 37;
    static final int RTM_NEWTFILTER = 44;
    static final int RTM_DELTFILTER = 45;
    // struct ifinfomsg is 16 bytes; attributes of a link
    static final int IFINFOMSG_LEN = 16;
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_OPERSTATE = 16;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_XDP = 43;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;
    static final int IFLA_NETKIT_PEER_INFO = 1;
    static final int IFLA_NETKIT_MODE = 5;
    static final int NETKIT_L2 = 0;
    static final int IFLA_XDP_FD = 1;
    static final int IFLA_XDP_FLAGS = 3;
    static final int IFF_UP = 0x1;
    /** {@code IF_OPER_UP} of {@code IFLA_OPERSTATE}. */
    public static final int IF_OPER_UP = 6;
    // struct ifaddrmsg is 8 bytes
    static final int IFADDRMSG_LEN = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    // struct tcmsg is 20 bytes; tc handles and attributes
    static final int TCMSG_LEN = 20;
    static final int TC_H_CLSACT = 0xFFFFFFF1;
    static final int CLSACT_HANDLE = 0xFFFF0000;
    static final int TC_H_MIN_INGRESS = 0xFFF2;
    static final int TC_H_MIN_EGRESS = 0xFFF3;
    static final int TCA_KIND = 1;
    static final int TCA_OPTIONS = 2;
    static final int TCA_BPF_FD = 6;
    static final int TCA_BPF_NAME = 7;
    static final int TCA_BPF_FLAGS = 8;
    static final int TCA_BPF_FLAG_ACT_DIRECT = 1;
    static final int ETH_P_ALL = 0x0003;

    /** A link's state as {@code RTM_GETLINK} reports it. */
    public record LinkState(int ifindex, String name, boolean up, int operState, byte[] mac) {
        /** Whether the device is administratively up and operationally up (carrier on). */
        public boolean operational() {
            return up && operState == IF_OPER_UP;
        }
    }

    private final Fd socket;
    private int seq;

    private Rtnetlink(Fd socket) {
        this.socket = socket;
    }

    /** Opens a route netlink socket in the calling thread's network namespace. */
    public static Rtnetlink open(String description) {
        int raw = NetLibc.socket(NetLibc.AF_NETLINK, NetLibc.SOCK_RAW | NetLibc.SOCK_CLOEXEC, NetLibc.NETLINK_ROUTE);
        if (raw < 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("socket(AF_NETLINK, NETLINK_ROUTE)", errno, description,
                    Hints.forSyscall(errno));
        }
        Fd fd = Fd.adopt(raw, description);
        byte[] one = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
        NetLibc.setsockopt(fd.raw(), NetLibc.SOL_NETLINK, NetLibc.NETLINK_EXT_ACK, one, 4);   // best effort
        byte[] local = new byte[NetLibc.SOCKADDR_NL_SIZE];
        local[0] = (byte) NetLibc.AF_NETLINK;
        if (NetLibc.bind(fd.raw(), local, local.length) < 0) {
            int errno = Native.getLastError();
            fd.close();
            throw new BpfSyscallException("bind(AF_NETLINK)", errno, description, Hints.forSyscall(errno));
        }
        return new Rtnetlink(fd);
    }

    /**
     * Creates a veth pair: {@code name} in this socket's namespace and {@code peerName} in the namespace of
     * {@code peerNetns} (null: the same namespace).
     */
    public synchronized void createVeth(String name, String peerName, Fd peerNetns) {
        createPair("veth", name, peerName, peerNetns);
    }

    /**
     * Creates a netkit pair in L2 mode (Linux 6.7): the primary {@code name} here, {@code peerName} in the namespace
     * of {@code peerNetns}; BPF programs attach to the primary, for either side.
     */
    public synchronized void createNetkit(String name, String peerName, Fd peerNetns) {
        createPair("netkit", name, peerName, peerNetns);
    }

    private void createPair(String kind, String name, String peerName, Fd peerNetns) {
        boolean netkit = kind.equals("netkit");
        Msg m = new Msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).ifinfo(0, 0, 0);
        m.string(IFLA_IFNAME, name);
        m.begin(IFLA_LINKINFO);
        m.string(IFLA_INFO_KIND, kind);
        m.begin(IFLA_INFO_DATA);
        if (netkit) {
            m.u32(IFLA_NETKIT_MODE, NETKIT_L2);
        }
        m.begin(netkit ? IFLA_NETKIT_PEER_INFO : VETH_INFO_PEER).ifinfo(0, 0, 0);
        m.string(IFLA_IFNAME, peerName);
        if (peerNetns != null) {
            m.u32(IFLA_NET_NS_FD, peerNetns.raw());
        }
        m.end().end().end();
        request(m, "RTM_NEWLINK " + kind + " " + name + " (peer " + peerName + ")");
    }

    /** Deletes a device (a veth's peer goes with it). */
    public synchronized void deleteLink(int ifindex) {
        request(new Msg(RTM_DELLINK, 0).ifinfo(ifindex, 0, 0), "RTM_DELLINK ifindex " + ifindex);
    }

    /** Sets a device administratively up or down. */
    public synchronized void setUp(int ifindex, boolean up) {
        request(new Msg(RTM_NEWLINK, 0).ifinfo(ifindex, up ? IFF_UP : 0, IFF_UP),
                "RTM_NEWLINK ifindex " + ifindex + (up ? " up" : " down"));
    }

    /** Adds an IPv4 address with its prefix length to a device. */
    public synchronized void addAddress(int ifindex, Inet4Address address, int prefixLength) {
        Msg m = new Msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
        m.b.put((byte) NetLibc.AF_INET).put((byte) prefixLength).put((byte) 0).put((byte) 0).putInt(ifindex);
        m.bytes(IFA_LOCAL, address.getAddress());
        m.bytes(IFA_ADDRESS, address.getAddress());
        request(m, "RTM_NEWADDR " + address.getHostAddress() + "/" + prefixLength + " on ifindex " + ifindex);
    }

    /** The device's flags, operational state and MAC address ({@code RTM_GETLINK}). */
    public synchronized LinkState link(int ifindex) {
        Msg m = new Msg(RTM_GETLINK, 0).ifinfo(ifindex, 0, 0);
        ByteBuffer reply = request(m, "RTM_GETLINK ifindex " + ifindex);
        if (reply == null) {
            throw new BpfException("RTM_GETLINK ifindex " + ifindex + ": no reply");
        }
        int start = reply.position();
        int len = reply.getInt(start);
        int flags = reply.getInt(start + NLMSG_HDRLEN + 8);
        String name = null;
        int oper = 0;
        byte[] mac = new byte[0];
        for (int p = start + NLMSG_HDRLEN + IFINFOMSG_LEN; p + 4 <= start + len; ) {
            int alen = Short.toUnsignedInt(reply.getShort(p));
            int type = reply.getShort(p + 2) & 0x3fff;
            if (alen < 4) {
                break;
            }
            byte[] v = new byte[alen - 4];
            reply.get(p + 4, v);
            if (type == IFLA_IFNAME) {
                name = cString(v);
            } else if (type == IFLA_OPERSTATE && v.length >= 1) {
                oper = v[0] & 0xff;
            } else if (type == IFLA_ADDRESS) {
                mac = v;
            }
            p += align(alen);
        }
        return new LinkState(ifindex, name, (flags & IFF_UP) != 0, oper, mac);
    }

    /**
     * Sets or clears ({@code progFd} -1) the XDP program of a device through {@code IFLA_XDP}, with
     * {@code XDP_FLAGS_*} choosing the mode: the way kernels before 5.9 attach XDP (no BPF link).
     */
    public synchronized void setXdp(int ifindex, int progFd, int flags, String what) {
        Msg m = new Msg(RTM_NEWLINK, 0).ifinfo(ifindex, 0, 0);
        m.begin(IFLA_XDP);
        m.u32(IFLA_XDP_FD, progFd);
        if (flags != 0) {
            m.u32(IFLA_XDP_FLAGS, flags);
        }
        m.end();
        request(m, "RTM_NEWLINK IFLA_XDP " + what);
    }

    /** Adds a clsact qdisc to a device; false if it already had one. */
    public synchronized boolean addClsact(int ifindex) {
        Msg m = new Msg(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL).tcmsg(ifindex, CLSACT_HANDLE, TC_H_CLSACT, 0);
        m.string(TCA_KIND, "clsact");
        try {
            request(m, "RTM_NEWQDISC clsact on ifindex " + ifindex);
            return true;
        } catch (BpfSyscallException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes a device's clsact qdisc (and every filter on it). */
    public synchronized void deleteClsact(int ifindex) {
        request(new Msg(RTM_DELQDISC, 0).tcmsg(ifindex, CLSACT_HANDLE, TC_H_CLSACT, 0),
                "RTM_DELQDISC clsact on ifindex " + ifindex);
    }

    /**
     * Adds a direct-action BPF filter to a device's clsact qdisc ({@code ingress} or egress) with this handle and
     * priority, for every protocol.
     */
    public synchronized void addBpfFilter(int ifindex, boolean ingress, int handle, int priority, Fd prog,
                                          String name) {
        Msg m = new Msg(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL)
                .tcmsg(ifindex, handle, clsactParent(ingress), filterInfo(priority));
        m.string(TCA_KIND, "bpf");
        m.begin(TCA_OPTIONS);
        m.u32(TCA_BPF_FD, prog.raw());
        m.string(TCA_BPF_NAME, name);
        m.u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
        m.end();
        request(m, "RTM_NEWTFILTER bpf " + name + " on ifindex " + ifindex + (ingress ? " ingress" : " egress"));
    }

    /** Deletes the filter added by {@link #addBpfFilter} with the same device, direction, handle and priority. */
    public synchronized void deleteBpfFilter(int ifindex, boolean ingress, int handle, int priority) {
        Msg m = new Msg(RTM_DELTFILTER, 0).tcmsg(ifindex, handle, clsactParent(ingress), filterInfo(priority));
        m.string(TCA_KIND, "bpf");
        request(m, "RTM_DELTFILTER on ifindex " + ifindex + (ingress ? " ingress" : " egress"));
    }

    static int clsactParent(boolean ingress) {
        return (TC_H_CLSACT & 0xFFFF0000) | (ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
    }

    static int filterInfo(int priority) {
        int protoBigEndian = Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ALL));
        return (priority << 16) | protoBigEndian;
    }

    /** Closes the socket. */
    @Override
    public void close() {
        socket.close();
    }

    // ------------------------------------------------------------------ plumbing

    /** Sends a request and waits for its acknowledgement; returns the first data message of the reply, if any. */
    private ByteBuffer request(Msg m, String what) {
        int s = ++seq;
        byte[] bytes = m.finish(s);
        byte[] dest = new byte[NetLibc.SOCKADDR_NL_SIZE];
        dest[0] = (byte) NetLibc.AF_NETLINK;
        if (NetLibc.sendto(socket.raw(), bytes, bytes.length, 0, dest, dest.length) < 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("sendto(netlink)", errno, what, Hints.forSyscall(errno));
        }
        ByteBuffer data = null;
        byte[] buf = new byte[65536];
        while (true) {
            long n = NetLibc.recvfrom(socket.raw(), buf, buf.length, 0, null, null);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == Errno.EINTR.number()) {
                    continue;
                }
                throw new BpfSyscallException("recvfrom(netlink)", errno, what, Hints.forSyscall(errno));
            }
            ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) n).order(ByteOrder.nativeOrder());
            for (int p = 0; p + NLMSG_HDRLEN <= n; ) {
                int len = b.getInt(p);
                int type = Short.toUnsignedInt(b.getShort(p + 4));
                int flags = Short.toUnsignedInt(b.getShort(p + 6));
                int mseq = b.getInt(p + 8);
                if (len < NLMSG_HDRLEN || p + len > n) {
                    throw new BpfException(what + ": malformed netlink reply (length " + len + ")");
                }
                if (mseq == s) {
                    if (type == NLMSG_ERROR) {
                        int error = b.getInt(p + NLMSG_HDRLEN);
                        if (error == 0) {
                            return data;
                        }
                        String ext = extAck(b, p, len, flags);
                        throw new BpfSyscallException(what, -error, null,
                                ext != null ? "the kernel says: " + ext : Hints.forSyscall(-error));
                    }
                    if (type == NLMSG_DONE) {
                        return data;
                    }
                    if (data == null) {
                        byte[] copy = new byte[len];
                        b.get(p, copy);
                        data = ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
                    }
                }
                p += align(len);
            }
        }
    }

    /** The extended ack's message of an NLMSG_ERROR, if the kernel sent one. */
    private static String extAck(ByteBuffer b, int p, int len, int flags) {
        if ((flags & NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int orig = p + NLMSG_HDRLEN + 4;
        int origLen = b.getInt(orig);
        int tlv = (flags & NLM_F_CAPPED) != 0 ? orig + NLMSG_HDRLEN : orig + align(origLen);
        while (tlv + 4 <= p + len) {
            int alen = Short.toUnsignedInt(b.getShort(tlv));
            int type = b.getShort(tlv + 2) & 0x3fff;
            if (alen < 4) {
                break;
            }
            if (type == NLMSGERR_ATTR_MSG) {
                byte[] v = new byte[alen - 4];
                b.get(tlv + 4, v);
                return cString(v);
            }
            tlv += align(alen);
        }
        return null;
    }

    private static String cString(byte[] v) {
        int end = 0;
        while (end < v.length && v[end] != 0) {
            end++;
        }
        return new String(v, 0, end, StandardCharsets.UTF_8);
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    /** A request being built: header, family header, then attributes, nested ones closed by {@link #end()}. */
    static final class Msg {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        private final Deque<Integer> open = new ArrayDeque<>();

        Msg(int type, int flags) {
            b.putInt(0).putShort((short) type).putShort((short) (NLM_F_REQUEST | NLM_F_ACK | flags)).putInt(0).putInt(0);
        }

        Msg ifinfo(int ifindex, int flags, int change) {
            b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(flags).putInt(change);
            return this;
        }

        Msg tcmsg(int ifindex, int handle, int parent, int info) {
            b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(handle).putInt(parent).putInt(info);
            return this;
        }

        Msg begin(int type) {
            open.push(b.position());
            b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
            return this;
        }

        Msg end() {
            int start = open.pop();
            b.putShort(start, (short) (b.position() - start));
            return this;
        }

        Msg bytes(int type, byte[] v) {
            b.putShort((short) (4 + v.length)).putShort((short) type).put(v);
            pad();
            return this;
        }

        Msg string(int type, String s) {
            byte[] v = s.getBytes(StandardCharsets.UTF_8);
            byte[] z = new byte[v.length + 1];
            System.arraycopy(v, 0, z, 0, v.length);
            return bytes(type, z);
        }

        Msg u32(int type, int v) {
            b.putShort((short) 8).putShort((short) type).putInt(v);
            return this;
        }

        private void pad() {
            while ((b.position() & 3) != 0) {
                b.put((byte) 0);
            }
        }

        byte[] finish(int seq) {
            if (!open.isEmpty()) {
                throw new IllegalStateException("unclosed nested attribute");
            }
            b.putInt(0, b.position());
            b.putInt(8, seq);
            byte[] out = new byte[b.position()];
            b.get(0, out);
            return out;
        }
    }

    @Override
    public String toString() {
        return Objects.toString(socket);
    }
}
