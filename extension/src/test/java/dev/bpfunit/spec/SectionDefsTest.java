package dev.bpfunit.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SectionDefsTest {

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "xdp, XDP, XDP, ''",
            "xdp.frags, XDP, XDP, ''",
            "xdp/devmap, XDP, XDP_DEVMAP, ''",
            "tc, SCHED_CLS, NONE, ''",
            "tc/ingress, SCHED_CLS, TCX_INGRESS, ''",
            "classifier, SCHED_CLS, NONE, ''",
            "classifier/my_prog, SCHED_CLS, NONE, my_prog",
            "socket, SOCKET_FILTER, NONE, ''",
            "kprobe/do_nanosleep, KPROBE, NONE, do_nanosleep",
            "tracepoint/syscalls/sys_enter_getpid, TRACEPOINT, NONE, syscalls/sys_enter_getpid",
            "raw_tp/sys_enter, RAW_TRACEPOINT, NONE, sys_enter",
            "tp_btf/sched_switch, TRACING, TRACE_RAW_TP, sched_switch",
            "fentry/do_nanosleep, TRACING, TRACE_FENTRY, do_nanosleep",
            "fexit.s/foo, TRACING, TRACE_FEXIT, foo",
            "lsm/file_open, LSM, LSM_MAC, file_open",
            "cgroup_skb/ingress, CGROUP_SKB, CGROUP_INET_INGRESS, ''",
            "cgroup/connect4, CGROUP_SOCK_ADDR, CGROUP_INET4_CONNECT, ''",
            "sk_lookup, SK_LOOKUP, SK_LOOKUP, ''",
            "flow_dissector, FLOW_DISSECTOR, FLOW_DISSECTOR, ''",
            "syscall, SYSCALL, NONE, ''",
            "sk_skb/stream_verdict, SK_SKB, SK_SKB_STREAM_VERDICT, ''",
            "sk_msg, SK_MSG, SK_MSG_VERDICT, ''",
            "lwt_xmit, LWT_XMIT, NONE, ''",
    })
    void matchesLibbpfTable(String section, ProgramType type, AttachType attach, String extras) {
        SectionDefs.Match m = SectionDefs.match(section).orElseThrow();
        assertThat(m.type()).isEqualTo(type);
        assertThat(m.def().attachType()).isEqualTo(attach);
        assertThat(m.extras()).isEqualTo(extras);
    }

    @Test
    void sleepableAndFragsSetFlags() {
        assertThat(SectionDefs.match("fentry.s/x").orElseThrow().def().progFlags())
                .isEqualTo(SectionDefs.BPF_F_SLEEPABLE);
        assertThat(SectionDefs.match("xdp.frags").orElseThrow().def().progFlags())
                .isEqualTo(SectionDefs.BPF_F_XDP_HAS_FRAGS);
        assertThat(SectionDefs.match("xdp").orElseThrow().def().progFlags()).isZero();
    }

    @Test
    void unknownSectionsSayNothing() {
        assertThat(SectionDefs.match("xdp_icmp_echo")).isEmpty();
        assertThat(SectionDefs.match("kprobes/x")).isEmpty();
        assertThat(SectionDefs.match(".text")).isEmpty();
    }
}
