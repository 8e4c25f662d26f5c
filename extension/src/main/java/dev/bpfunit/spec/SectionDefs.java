package dev.bpfunit.spec;

import java.util.List;
import java.util.Optional;

/**
 * Maps an ELF section name to a program type and expected attach type, following libbpf's table.
 *
 * <p>Matching follows libbpf 1.x: a definition ending in {@code +} matches the bare name or the name
 * followed by {@code /extras}; one ending in {@code /} matches any name with that prefix; others match
 * exactly. Because Aya and older libbpf name sections {@code kind/function}, an exact definition also
 * matches {@code kind/anything} when nothing more specific does.
 */
public final class SectionDefs {

    /** {@code BPF_F_SLEEPABLE} in {@code prog_flags}. */
    public static final int BPF_F_SLEEPABLE = 1 << 4;
    /** {@code BPF_F_XDP_HAS_FRAGS} in {@code prog_flags}. */
    public static final int BPF_F_XDP_HAS_FRAGS = 1 << 5;

    /** How the kernel finds what a program attaches to at load time. */
    public enum AttachTarget {
        /** Nothing is needed at load time. */
        NONE,
        /** A kernel function by BTF id ({@code fentry/}, {@code fexit/}, {@code fmod_ret/}). */
        KERNEL_FUNCTION,
        /** A raw tracepoint's {@code btf_trace_<name>} typedef ({@code tp_btf/}). */
        BTF_TRACEPOINT,
        /** An LSM hook's {@code bpf_lsm_<name>} function ({@code lsm/}). */
        LSM_HOOK,
        /** An iterator's {@code bpf_iter_<name>} function ({@code iter/}). */
        ITERATOR,
        /** Another BPF program ({@code freplace/}): not supported yet. */
        PROGRAM
    }

    /** One row of the table. */
    public record SectionDef(String pattern, ProgramType type, AttachType attachType, int progFlags,
                             AttachTarget target) {
    }

    /** The result of matching a section name: the row and, for {@code kind/extras}, the extras. */
    public record Match(SectionDef def, String extras) {
        /** The program type. */
        public ProgramType type() {
            return def.type();
        }
    }

    private static final List<SectionDef> DEFS = List.of(
            d("socket", ProgramType.SOCKET_FILTER, AttachType.NONE),
            d("sk_reuseport/migrate", ProgramType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE),
            d("sk_reuseport", ProgramType.SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT),
            d("kprobe+", ProgramType.KPROBE, AttachType.NONE),
            d("uprobe+", ProgramType.KPROBE, AttachType.NONE),
            d("uprobe.s+", ProgramType.KPROBE, AttachType.NONE, SectionDefs.BPF_F_SLEEPABLE),
            d("kretprobe+", ProgramType.KPROBE, AttachType.NONE),
            d("uretprobe+", ProgramType.KPROBE, AttachType.NONE),
            d("uretprobe.s+", ProgramType.KPROBE, AttachType.NONE, SectionDefs.BPF_F_SLEEPABLE),
            d("kprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI),
            d("kretprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_MULTI),
            d("kprobe.session+", ProgramType.KPROBE, AttachType.TRACE_KPROBE_SESSION),
            d("uprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI),
            d("uretprobe.multi+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI),
            d("uprobe.multi.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, SectionDefs.BPF_F_SLEEPABLE),
            d("uretprobe.multi.s+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_MULTI, SectionDefs.BPF_F_SLEEPABLE),
            d("uprobe.session+", ProgramType.KPROBE, AttachType.TRACE_UPROBE_SESSION),
            d("ksyscall+", ProgramType.KPROBE, AttachType.NONE),
            d("kretsyscall+", ProgramType.KPROBE, AttachType.NONE),
            d("usdt+", ProgramType.KPROBE, AttachType.NONE),
            d("usdt.s+", ProgramType.KPROBE, AttachType.NONE, SectionDefs.BPF_F_SLEEPABLE),
            d("tc/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS),
            d("tc/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS),
            d("tcx/ingress", ProgramType.SCHED_CLS, AttachType.TCX_INGRESS),
            d("tcx/egress", ProgramType.SCHED_CLS, AttachType.TCX_EGRESS),
            d("netkit/primary", ProgramType.SCHED_CLS, AttachType.NETKIT_PRIMARY),
            d("netkit/peer", ProgramType.SCHED_CLS, AttachType.NETKIT_PEER),
            d("tc", ProgramType.SCHED_CLS, AttachType.NONE),
            d("classifier", ProgramType.SCHED_CLS, AttachType.NONE),
            d("action", ProgramType.SCHED_ACT, AttachType.NONE),
            d("tracepoint+", ProgramType.TRACEPOINT, AttachType.NONE),
            d("tp+", ProgramType.TRACEPOINT, AttachType.NONE),
            d("raw_tracepoint+", ProgramType.RAW_TRACEPOINT, AttachType.NONE),
            d("raw_tp+", ProgramType.RAW_TRACEPOINT, AttachType.NONE),
            d("raw_tracepoint.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, AttachType.NONE),
            d("raw_tp.w+", ProgramType.RAW_TRACEPOINT_WRITABLE, AttachType.NONE),
            t("tp_btf+", ProgramType.TRACING, AttachType.TRACE_RAW_TP, 0, AttachTarget.BTF_TRACEPOINT),
            t("fentry+", ProgramType.TRACING, AttachType.TRACE_FENTRY, 0, AttachTarget.KERNEL_FUNCTION),
            t("fmod_ret+", ProgramType.TRACING, AttachType.MODIFY_RETURN, 0, AttachTarget.KERNEL_FUNCTION),
            t("fexit+", ProgramType.TRACING, AttachType.TRACE_FEXIT, 0, AttachTarget.KERNEL_FUNCTION),
            t("fentry.s+", ProgramType.TRACING, AttachType.TRACE_FENTRY, BPF_F_SLEEPABLE, AttachTarget.KERNEL_FUNCTION),
            t("fmod_ret.s+", ProgramType.TRACING, AttachType.MODIFY_RETURN, BPF_F_SLEEPABLE, AttachTarget.KERNEL_FUNCTION),
            t("fexit.s+", ProgramType.TRACING, AttachType.TRACE_FEXIT, BPF_F_SLEEPABLE, AttachTarget.KERNEL_FUNCTION),
            t("freplace+", ProgramType.EXT, AttachType.NONE, 0, AttachTarget.PROGRAM),
            t("lsm+", ProgramType.LSM, AttachType.LSM_MAC, 0, AttachTarget.LSM_HOOK),
            t("lsm.s+", ProgramType.LSM, AttachType.LSM_MAC, BPF_F_SLEEPABLE, AttachTarget.LSM_HOOK),
            t("lsm_cgroup+", ProgramType.LSM, AttachType.LSM_CGROUP, 0, AttachTarget.LSM_HOOK),
            t("iter+", ProgramType.TRACING, AttachType.TRACE_ITER, 0, AttachTarget.ITERATOR),
            t("iter.s+", ProgramType.TRACING, AttachType.TRACE_ITER, BPF_F_SLEEPABLE, AttachTarget.ITERATOR),
            d("syscall", ProgramType.SYSCALL, AttachType.NONE, BPF_F_SLEEPABLE),
            d("xdp.frags/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP, BPF_F_XDP_HAS_FRAGS),
            d("xdp/devmap", ProgramType.XDP, AttachType.XDP_DEVMAP),
            d("xdp.frags/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP, BPF_F_XDP_HAS_FRAGS),
            d("xdp/cpumap", ProgramType.XDP, AttachType.XDP_CPUMAP),
            d("xdp.frags", ProgramType.XDP, AttachType.XDP, BPF_F_XDP_HAS_FRAGS),
            d("xdp", ProgramType.XDP, AttachType.XDP),
            d("perf_event", ProgramType.PERF_EVENT, AttachType.NONE),
            d("lwt_in", ProgramType.LWT_IN, AttachType.NONE),
            d("lwt_out", ProgramType.LWT_OUT, AttachType.NONE),
            d("lwt_xmit", ProgramType.LWT_XMIT, AttachType.NONE),
            d("lwt_seg6local", ProgramType.LWT_SEG6LOCAL, AttachType.NONE),
            d("sockops", ProgramType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS),
            d("sk_skb/stream_parser", ProgramType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER),
            d("sk_skb/stream_verdict", ProgramType.SK_SKB, AttachType.SK_SKB_STREAM_VERDICT),
            d("sk_skb/verdict", ProgramType.SK_SKB, AttachType.SK_SKB_VERDICT),
            d("sk_skb", ProgramType.SK_SKB, AttachType.NONE),
            d("sk_msg", ProgramType.SK_MSG, AttachType.SK_MSG_VERDICT),
            d("lirc_mode2", ProgramType.LIRC_MODE2, AttachType.LIRC_MODE2),
            d("flow_dissector", ProgramType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR),
            d("cgroup_skb/ingress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS),
            d("cgroup_skb/egress", ProgramType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS),
            d("cgroup/skb", ProgramType.CGROUP_SKB, AttachType.NONE),
            d("cgroup/sock_create", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
            d("cgroup/sock_release", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_RELEASE),
            d("cgroup/sock", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
            d("cgroup/post_bind4", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND),
            d("cgroup/post_bind6", ProgramType.CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND),
            d("cgroup/bind4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND),
            d("cgroup/bind6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_BIND),
            d("cgroup/connect4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT),
            d("cgroup/connect6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT),
            d("cgroup/connect_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_CONNECT),
            d("cgroup/sendmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG),
            d("cgroup/sendmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG),
            d("cgroup/sendmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_SENDMSG),
            d("cgroup/recvmsg4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG),
            d("cgroup/recvmsg6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_RECVMSG),
            d("cgroup/recvmsg_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_RECVMSG),
            d("cgroup/getpeername4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETPEERNAME),
            d("cgroup/getpeername6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETPEERNAME),
            d("cgroup/getpeername_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETPEERNAME),
            d("cgroup/getsockname4", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETSOCKNAME),
            d("cgroup/getsockname6", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETSOCKNAME),
            d("cgroup/getsockname_unix", ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETSOCKNAME),
            d("cgroup/sysctl", ProgramType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL),
            d("cgroup/getsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT),
            d("cgroup/setsockopt", ProgramType.CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT),
            d("cgroup/dev", ProgramType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE),
            d("struct_ops+", ProgramType.STRUCT_OPS, AttachType.NONE),
            d("struct_ops.s+", ProgramType.STRUCT_OPS, AttachType.NONE, BPF_F_SLEEPABLE),
            d("sk_lookup", ProgramType.SK_LOOKUP, AttachType.SK_LOOKUP),
            d("netfilter", ProgramType.NETFILTER, AttachType.NETFILTER));

    private SectionDefs() {
    }

    private static SectionDef d(String pattern, ProgramType type, AttachType attach) {
        return d(pattern, type, attach, 0);
    }

    private static SectionDef d(String pattern, ProgramType type, AttachType attach, int flags) {
        return new SectionDef(pattern, type, attach, flags, AttachTarget.NONE);
    }

    private static SectionDef t(String pattern, ProgramType type, AttachType attach, int flags, AttachTarget target) {
        return new SectionDef(pattern, type, attach, flags, target);
    }

    /** Every row, in matching order. */
    public static List<SectionDef> all() {
        return DEFS;
    }

    /**
     * The prefix of a section whose program is not loaded unless asked for (libbpf's {@code SEC("?xdp")}); the rest
     * of the name says the program's type as without it.
     */
    static final String NOT_AUTOLOADED = "?";

    /** Whether a program of this section is loaded unless told otherwise: its name has no {@link #NOT_AUTOLOADED}. */
    public static boolean autoloaded(String section) {
        return !section.startsWith(NOT_AUTOLOADED);
    }

    /** The row for a section name, or empty when the name says nothing about the program's type. */
    public static Optional<Match> match(String section) {
        if (!autoloaded(section)) {
            section = section.substring(NOT_AUTOLOADED.length());
        }
        for (int i = 0; i < DEFS.size(); i++) {
            String base = BASES[i];
            switch (FORMS[i]) {
                case PLUS -> {
                    if (section.equals(base)) {
                        return Optional.of(new Match(DEFS.get(i), ""));
                    }
                    if (section.length() > base.length() && section.startsWith(base)
                            && section.charAt(base.length()) == '/') {
                        return Optional.of(new Match(DEFS.get(i), section.substring(base.length() + 1)));
                    }
                }
                case SLASH -> {
                    if (section.startsWith(base)) {
                        return Optional.of(new Match(DEFS.get(i), section.substring(base.length())));
                    }
                }
                default -> {
                    if (section.equals(base)) {
                        return Optional.of(new Match(DEFS.get(i), ""));
                    }
                }
            }
        }
        // kind/function, as Aya and pre-1.0 libbpf name sections
        for (int i = 0; i < DEFS.size(); i++) {
            String base = BASES[i];
            if (FORMS[i] == EXACT && section.length() > base.length() && section.startsWith(base)
                    && section.charAt(base.length()) == '/') {
                return Optional.of(new Match(DEFS.get(i), section.substring(base.length() + 1)));
            }
        }
        return Optional.empty();
    }

    /** How each pattern of {@link #DEFS} matches: exactly, {@code name+} (name or name/extras), {@code prefix/}. */
    private static final int EXACT = 0;
    private static final int PLUS = 1;
    private static final int SLASH = 2;
    private static final int[] FORMS = new int[DEFS.size()];
    /** Each pattern without its trailing {@code +} (a {@code prefix/} pattern is kept whole). */
    private static final String[] BASES = new String[DEFS.size()];

    static {
        for (int i = 0; i < DEFS.size(); i++) {
            String p = DEFS.get(i).pattern();
            FORMS[i] = p.endsWith("+") ? PLUS : p.endsWith("/") ? SLASH : EXACT;
            BASES[i] = FORMS[i] == PLUS ? p.substring(0, p.length() - 1) : p;
        }
    }
}
