package dev.bpfunit.spec;

import dev.bpfunit.sys.BpfConstants;
import java.util.Arrays;
import java.util.Optional;

/** The kernel's program types ({@code enum bpf_prog_type}), with their numbers. */
public enum ProgramType {
    UNSPEC(BpfConstants.BPF_PROG_TYPE_UNSPEC),
    SOCKET_FILTER(BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER),
    KPROBE(BpfConstants.BPF_PROG_TYPE_KPROBE),
    SCHED_CLS(BpfConstants.BPF_PROG_TYPE_SCHED_CLS),
    SCHED_ACT(BpfConstants.BPF_PROG_TYPE_SCHED_ACT),
    TRACEPOINT(BpfConstants.BPF_PROG_TYPE_TRACEPOINT),
    XDP(BpfConstants.BPF_PROG_TYPE_XDP),
    PERF_EVENT(BpfConstants.BPF_PROG_TYPE_PERF_EVENT),
    CGROUP_SKB(BpfConstants.BPF_PROG_TYPE_CGROUP_SKB),
    CGROUP_SOCK(BpfConstants.BPF_PROG_TYPE_CGROUP_SOCK),
    LWT_IN(BpfConstants.BPF_PROG_TYPE_LWT_IN),
    LWT_OUT(BpfConstants.BPF_PROG_TYPE_LWT_OUT),
    LWT_XMIT(BpfConstants.BPF_PROG_TYPE_LWT_XMIT),
    SOCK_OPS(BpfConstants.BPF_PROG_TYPE_SOCK_OPS),
    SK_SKB(BpfConstants.BPF_PROG_TYPE_SK_SKB),
    CGROUP_DEVICE(BpfConstants.BPF_PROG_TYPE_CGROUP_DEVICE),
    SK_MSG(BpfConstants.BPF_PROG_TYPE_SK_MSG),
    RAW_TRACEPOINT(BpfConstants.BPF_PROG_TYPE_RAW_TRACEPOINT),
    CGROUP_SOCK_ADDR(BpfConstants.BPF_PROG_TYPE_CGROUP_SOCK_ADDR),
    LWT_SEG6LOCAL(BpfConstants.BPF_PROG_TYPE_LWT_SEG6LOCAL),
    LIRC_MODE2(BpfConstants.BPF_PROG_TYPE_LIRC_MODE2),
    SK_REUSEPORT(BpfConstants.BPF_PROG_TYPE_SK_REUSEPORT),
    FLOW_DISSECTOR(BpfConstants.BPF_PROG_TYPE_FLOW_DISSECTOR),
    CGROUP_SYSCTL(BpfConstants.BPF_PROG_TYPE_CGROUP_SYSCTL),
    RAW_TRACEPOINT_WRITABLE(BpfConstants.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE),
    CGROUP_SOCKOPT(BpfConstants.BPF_PROG_TYPE_CGROUP_SOCKOPT),
    TRACING(BpfConstants.BPF_PROG_TYPE_TRACING),
    STRUCT_OPS(BpfConstants.BPF_PROG_TYPE_STRUCT_OPS),
    EXT(BpfConstants.BPF_PROG_TYPE_EXT),
    LSM(BpfConstants.BPF_PROG_TYPE_LSM),
    SK_LOOKUP(BpfConstants.BPF_PROG_TYPE_SK_LOOKUP),
    SYSCALL(BpfConstants.BPF_PROG_TYPE_SYSCALL),
    NETFILTER(BpfConstants.BPF_PROG_TYPE_NETFILTER);

    private final int number;

    ProgramType(int number) {
        this.number = number;
    }

    /** The value of {@code enum bpf_prog_type}. */
    public int number() {
        return number;
    }

    /** The type with this kernel number, if bpfunit knows it. */
    public static Optional<ProgramType> of(int number) {
        return Arrays.stream(values()).filter(t -> t.number == number).findFirst();
    }
}
