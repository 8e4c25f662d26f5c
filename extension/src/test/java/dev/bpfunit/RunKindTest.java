package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.ProgramType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The program-type facts of test runs, held by {@link RunKind}. */
class RunKindTest {

    private static byte[] frame(int ethertype, int length) {
        byte[] b = new byte[length];
        b[12] = (byte) (ethertype >> 8);
        b[13] = (byte) ethertype;
        return b;
    }

    @Test
    void eachTypedContextDeclaresTheKindWhoseClassItIs() {
        RunContext[] contexts = {XdpContext.ingress(1, 0), SkbContext.EMPTY, SkLookupContext.tcp(
                new java.net.InetSocketAddress("10.0.0.1", 1), new java.net.InetSocketAddress("10.0.0.2", 2)),
            new RawTracepointArgs(1), new SyscallContext(new byte[4])};
        for (RunContext c : contexts) {
            assertThat(c.kind().contextType()).as(c.getClass().getSimpleName()).isSameAs(c.getClass());
        }
        assertThat(Arrays.stream(RunKind.values()).filter(k -> k.contextType() != null).count())
                .as("kinds with a typed context").isEqualTo(RunContext.class.getPermittedSubclasses().length);
        assertThat(SkbContext.EMPTY.fits(ProgramType.SCHED_CLS)).isTrue();
        assertThat(SkbContext.EMPTY.fits(ProgramType.XDP)).isFalse();
    }

    @Test
    void kindsOfProgramTypes() {
        assertThat(RunKind.of(ProgramType.SCHED_CLS)).isEqualTo(RunKind.SKB);
        assertThat(RunKind.of(ProgramType.TRACING, AttachType.TRACE_FENTRY)).isEqualTo(RunKind.TRACING);
        assertThat(RunKind.of(ProgramType.TRACING, AttachType.TRACE_ITER)).isEqualTo(RunKind.NONE);
        assertThat(RunKind.of(ProgramType.KPROBE)).isEqualTo(RunKind.NONE);
        assertThat(RunKind.SYSCALL.repeats()).isFalse();
        assertThat(RunKind.SK_LOOKUP.takesData()).isFalse();
    }

    @Test
    void anSkbRunNeedsTheWholeIpHeaderOfItsEthertype() {
        assertThat(RunKind.SKB.tooShort(frame(0x0800, 29), 0, ProgramType.SCHED_CLS))
                .contains("the packet is 29 bytes, but its ethertype 0x0800 says IPv4")
                .contains("needs the whole IPv4 header: at least 34 bytes");
        assertThat(RunKind.SKB.tooShort(frame(0x0800, 34), 0, ProgramType.SCHED_CLS)).isNull();
        assertThat(RunKind.SKB.tooShort(frame(0x86dd, 53), 0, ProgramType.CGROUP_SKB))
                .contains("needs the whole IPv6 header: at least 54 bytes");
        assertThat(RunKind.SKB.tooShort(frame(0x86dd, 54), 0, ProgramType.CGROUP_SKB)).isNull();
        assertThat(RunKind.SKB.tooShort(frame(0x0806, 14), 0, ProgramType.SCHED_CLS)).isNull();
        assertThat(RunKind.SKB.tooShort(new byte[13], 0, ProgramType.SCHED_CLS))
                .contains("at least 14 (an Ethernet header)");
        // XDP has no such rule: the kernel hands it the frame as it is
        assertThat(RunKind.XDP.tooShort(frame(0x0800, 29), 0, ProgramType.XDP)).isNull();
    }
}
