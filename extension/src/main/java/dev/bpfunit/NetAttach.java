package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfConstants;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.LinkCreateAttr;
import dev.bpfunit.sys.ProgAttachAttr;
import dev.bpfunit.sys.Rtnetlink;
import dev.bpfunit.sys.Sockets;
import dev.bpfunit.sys.SystemInfo;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Attaches network and cgroup programs in the live kernel: XDP and tc to devices, cgroup programs to cgroups,
 * sk_lookup to a namespace, socket filters to sockets, sk_msg/sk_skb to sockmaps. Each attachment is a {@link Link}
 * registered with the program's object.
 */
final class NetAttach {
    /** {@code KERNEL_VERSION(5, 9, 0)}: BPF links for XDP. */
    static final int XDP_LINK_VERSION = (5 << 16) | (9 << 8);
    /** {@code KERNEL_VERSION(6, 6, 0)}: TCX links. */
    static final int TCX_VERSION = (6 << 16) | (6 << 8);
    private static final AtomicInteger TC_HANDLE = new AtomicInteger();
    private static final Set<AttachType> SOCKMAP_TYPES = Set.of(AttachType.SK_MSG_VERDICT,
            AttachType.SK_SKB_STREAM_PARSER, AttachType.SK_SKB_STREAM_VERDICT, AttachType.SK_SKB_VERDICT);

    private NetAttach() {
    }

    static Link xdp(BpfProgram p, BpfObject owner, NetDevice dev, XdpMode mode) {
        requireType(p, "an XDP device", ProgramType.XDP);
        String target = "XDP (" + mode.name().toLowerCase() + ") on " + dev;
        if (SystemInfo.kernelVersionCode() < XDP_LINK_VERSION) {
            return xdpNetlink(p, owner, dev, mode);
        }
        Fd fd;
        try {
            fd = dev.netns().call(() -> Bpf.linkCreate(new LinkCreateAttr().progFd(p.fd())
                    .targetIfindex(dev.ifindex()).attachType(AttachType.XDP.number()).flags(mode.flags())));
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage() + xdpFix(e.errno(), mode), e);
        }
        return Link.ofFd(p, target, fd, owner);
    }

    /** XDP through netlink ({@code IFLA_XDP}), without a BPF link: for kernels before 5.9. */
    static Link xdpNetlink(BpfProgram p, BpfObject owner, NetDevice dev, XdpMode mode) {
        requireType(p, "an XDP device", ProgramType.XDP);
        String target = "XDP (" + mode.name().toLowerCase() + ", netlink) on " + dev;
        Rtnetlink rtnl = dev.netns().rtnetlink();
        int flags = mode.flags() | BpfConstants.XDP_FLAGS_UPDATE_IF_NOEXIST;
        try {
            rtnl.setXdp(dev.ifindex(), p.fd().raw(), flags, "of " + p + " on " + dev);
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage() + xdpFix(e.errno(), mode), e);
        }
        return Link.of(p, target, null, () -> {
            if (!dev.netns().isClosed()) {   // else the device is gone with its namespace
                rtnl.setXdp(dev.ifindex(), -1, mode.flags(), "detach on " + dev);
            }
        }, owner);
    }

    private static String xdpFix(Errno errno, XdpMode mode) {
        return switch (errno) {
            case EOPNOTSUPP, EINVAL -> mode == XdpMode.GENERIC ? ""
                    : ": the device's driver may not support XDP in " + mode + " mode; XdpMode.GENERIC works on any device";
            case EBUSY, EEXIST -> ": the device already has an XDP program (in this or another mode): detach it first";
            default -> "";
        };
    }

    static Link tc(BpfProgram p, BpfObject owner, NetDevice dev, TcDirection direction) {
        requireType(p, "a tc hook", ProgramType.SCHED_CLS, ProgramType.SCHED_ACT);
        if (SystemInfo.kernelVersionCode() < TCX_VERSION) {
            return tcClsact(p, owner, dev, direction);
        }
        String target = "tcx " + direction.name().toLowerCase() + " of " + dev;
        Fd fd;
        try {
            fd = dev.netns().call(() -> Bpf.linkCreate(new LinkCreateAttr().progFd(p.fd())
                    .targetIfindex(dev.ifindex()).attachType(direction.tcxAttachType().number())));
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage(), e);
        }
        return Link.ofFd(p, target, fd, owner);
    }

    /** tc through a clsact qdisc and a direct-action bpf filter (netlink): for kernels without TCX (before 6.6). */
    static Link tcClsact(BpfProgram p, BpfObject owner, NetDevice dev, TcDirection direction) {
        requireType(p, "a tc hook", ProgramType.SCHED_CLS, ProgramType.SCHED_ACT);
        boolean ingress = direction == TcDirection.INGRESS;
        String target = "clsact " + direction.name().toLowerCase() + " of " + dev;
        Rtnetlink rtnl = dev.netns().rtnetlink();
        int handle = TC_HANDLE.incrementAndGet();
        int priority = 1;
        boolean created = rtnl.addClsact(dev.ifindex());
        try {
            rtnl.addBpfFilter(dev.ifindex(), ingress, handle, priority, p.fd(), p.name());
        } catch (RuntimeException e) {
            if (created) {
                rtnl.deleteClsact(dev.ifindex());
            }
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage(), e);
        }
        return Link.of(p, target, null, () -> {
            if (dev.netns().isClosed()) {
                return;   // the device is gone with its namespace
            }
            if (created) {
                rtnl.deleteClsact(dev.ifindex());   // and the filter with it
            } else {
                rtnl.deleteBpfFilter(dev.ifindex(), ingress, handle, priority);
            }
        }, owner);
    }

    static Link netkit(BpfProgram p, BpfObject owner, NetDevice dev, AttachType type) {
        requireType(p, "a netkit device", ProgramType.SCHED_CLS);
        if (type != AttachType.NETKIT_PRIMARY && type != AttachType.NETKIT_PEER) {
            throw new IllegalArgumentException(type + " is not a netkit attach type: use NETKIT_PRIMARY or NETKIT_PEER");
        }
        String target = "netkit " + (type == AttachType.NETKIT_PRIMARY ? "primary" : "peer") + " of " + dev;
        Fd fd;
        try {
            fd = dev.netns().call(() -> Bpf.linkCreate(new LinkCreateAttr().progFd(p.fd())
                    .targetIfindex(dev.ifindex()).attachType(type.number())));
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage()
                    + (e.errno() == Errno.EINVAL ? ": netkit links need Linux 6.7 and a netkit device" : ""), e);
        }
        return Link.ofFd(p, target, fd, owner);
    }

    static Link cgroup(BpfProgram p, BpfObject owner, Cgroup cgroup, AttachType type) {
        AttachType t = type != null ? type : p.spec().attachType();
        if (t == AttachType.NONE) {
            throw new BpfException("attach " + p + " to " + cgroup + ": its section '" + p.spec().section()
                    + "' names no cgroup hook: pass one, e.g. attachToCgroup(cgroup, AttachType.CGROUP_INET_INGRESS)");
        }
        if (!t.name().startsWith("CGROUP_") && t != AttachType.LSM_CGROUP) {
            throw new BpfException("cannot attach " + p + " to " + cgroup + ": " + t + " is not a cgroup hook: "
                    + "attach a cgroup program (cgroup/..., cgroup_skb/..., sockops) at a CGROUP_* attach type");
        }
        String target = t + " of " + cgroup;
        Fd fd;
        try {
            fd = Bpf.linkCreate(new LinkCreateAttr().progFd(p.fd()).targetFd(cgroup.fd().raw())
                    .attachType(t.number()));
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage()
                    + (e.errno() == Errno.EINVAL ? ": the program's type and expected attach type ("
                    + p.spec().attachType() + ") must match " + t + "; cgroup links need Linux 5.7" : ""), e);
        }
        return Link.ofFd(p, target, fd, owner);
    }

    static Link skLookup(BpfProgram p, BpfObject owner, NetNs netns) {
        requireType(p, "a network namespace", ProgramType.SK_LOOKUP);
        String target = "sk_lookup of " + netns;
        Fd fd;
        try {
            fd = Bpf.linkCreate(new LinkCreateAttr().progFd(p.fd()).targetFd(netns.fd().raw())
                    .attachType(AttachType.SK_LOOKUP.number()));
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage(), e);
        }
        return Link.ofFd(p, target, fd, owner);
    }

    static Link socket(BpfProgram p, BpfObject owner, Fd socket, String what) {
        requireType(p, "a socket", ProgramType.SOCKET_FILTER);
        String target = "socket filter of " + what;
        try {
            Sockets.attachBpf(socket, p.fd());
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage(), e);
        }
        return Link.of(p, target, null, () -> {
            if (!socket.isClosed()) {
                Sockets.detachBpf(socket);
            }
        }, owner);
    }

    static Link sockmap(BpfProgram p, BpfObject owner, BpfMap map, AttachType type) {
        requireType(p, "a sockmap", ProgramType.SK_MSG, ProgramType.SK_SKB);
        AttachType t = type != null ? type : p.spec().attachType();
        if (!SOCKMAP_TYPES.contains(t)) {
            throw new BpfException("attach " + p + " to map '" + map.name() + "': "
                    + (t == AttachType.NONE ? "its section '" + p.spec().section() + "' names no sockmap hook"
                    : t + " is not a sockmap attach type") + ": pass one of " + SOCKMAP_TYPES);
        }
        String target = t + " of map '" + map.name() + "'";
        ProgAttachAttr attr = new ProgAttachAttr().targetFd(map.fd().raw()).attachBpfFd(p.fd().raw())
                .attachType(t.number());
        try {
            Bpf.progAttach(attr);
        } catch (BpfSyscallException e) {
            throw new BpfException("attach " + p + " to " + target + ": " + e.getMessage()
                    + (e.errno() == Errno.EINVAL ? ": the map must be a SOCKMAP or SOCKHASH" : ""), e);
        }
        return Link.of(p, target, null, () -> {
            if (!map.fd().isClosed() && !p.fd().isClosed()) {
                Bpf.progDetach(new ProgAttachAttr().targetFd(map.fd().raw()).attachBpfFd(p.fd().raw())
                        .attachType(t.number()));
            }
        }, owner);
    }

    private static void requireType(BpfProgram p, String target, ProgramType... types) {
        for (ProgramType t : types) {
            if (p.type() == t) {
                return;
            }
        }
        throw new BpfException("cannot attach " + p + " to " + target + ": that takes programs of type "
                + java.util.Arrays.toString(types) + ", this one is " + p.type());
    }
}
