package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static dev.bpfunit.samples.Samples.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfObject;
import dev.bpfunit.packet.ChecksumStatus;
import dev.bpfunit.packet.Ipv4;
import dev.bpfunit.packet.MacAddress;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.BpfRetCode;
import dev.bpfunit.Features;
import dev.bpfunit.FlowKeys;
import dev.bpfunit.RawTracepointArgs;
import dev.bpfunit.SkAction;
import dev.bpfunit.SkLookupContext;
import dev.bpfunit.SkbContext;
import dev.bpfunit.SyscallContext;
import dev.bpfunit.TcAction;
import dev.bpfunit.TestRun;
import dev.bpfunit.XdpAction;
import dev.bpfunit.XdpContext;
import dev.bpfunit.spec.ProgramType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Test runs of every program type the kernel can run, each compared with {@code bpftool prog run} on the
 * same object (loaded by libbpf) and input where bpftool can load it, and with the program's documented
 * behaviour.
 */
class RunTest {
    static final byte[] A = {10, 0, 0, 1};
    static final byte[] B = {10, 0, 0, 2};

    /** Runs {@code program} of {@code name} with bpfunit and with bpftool on the same input; returns ours. */
    private static TestRun sameAsBpftool(String name, String program, byte[] data, byte[] ctx) {
        try (Bpftool.Loaded ref = Bpftool.loadAll(object(name)); BpfObject obj = BpfObject.load(object(name))) {
            Bpftool.RunResult expected = ref.run(program, data, ctx, 0);
            var builder = obj.program(program).testRun();
            if (data != null) {
                builder.data(data);
            }
            if (ctx != null) {
                builder.context(ctx);
            }
            TestRun ours = builder.run();
            assertThat(ours.retval()).as("retval of %s", program).isEqualTo(expected.retval());
            assertThat(ours.dataOut()).as("data out of %s", program).isEqualTo(expected.dataOut());
            if (ctx != null) {
                assertThat(ours.contextOut()).as("context out of %s", program).isEqualTo(expected.ctxOut());
            }
            return ours;
        }
    }

    @Test
    void xdpPassAndDropLikeBpftool() {
        TestRun pass = sameAsBpftool("xdp_fw", "xdp_fw", Frames.udp4(A, B, 1000, 53, 8, 64), null);
        assertThat(pass.xdpAction()).isEqualTo(XdpAction.PASS);
        assertThat(pass.verdict()).isEqualTo(XdpAction.PASS);
        assertThat(pass.dataChanged()).isFalse();
        assertThat(pass.type()).isEqualTo(ProgramType.XDP);
        TestRun runt = sameAsBpftool("xdp_fw", "xdp_fw", Frames.ethernet(0x0800, new byte[4]), null);
        assertThat(runt.xdpAction()).isEqualTo(XdpAction.DROP);
    }

    @Test
    void tcRewriteLikeBpftool() {
        byte[] in = Frames.udp4(A, B, 1000, 53, 8, 64);
        TestRun r = sameAsBpftool("tc_rewrite", "tc_rewrite", in, null);
        assertThat(r.tcAction()).isEqualTo(TcAction.OK);
        assertThat(r.dataChanged()).isTrue();
        Packet out = Packet.parse(r.dataOut());
        assertThat(out.ethernet().dst()).isEqualTo(MacAddress.of(Frames.SRC_MAC));
        assertThat(out.ipv4().ttl()).isEqualTo(63);
        assertThat(out.checksumStatus(Ipv4.class)).as("IPv4 header checksum").isEqualTo(ChecksumStatus.GOOD);
    }

    @Test
    void socketFilterLikeBpftool() {
        byte[] udp = Frames.udp4(A, B, 1000, 53, 8, 64);
        TestRun keep = sameAsBpftool("socket_filter", "socket_filter", udp, null);
        assertThat(keep.retval()).isEqualTo(udp.length - 14);
        assertThat(sameAsBpftool("socket_filter", "socket_filter", Frames.tcp4(A, B, 1, 2), null).retval()).isZero();
    }

    @Test
    void cgroupSkbLikeBpftool() {
        TestRun small = sameAsBpftool("multi_prog", "cgroup_ingress", Frames.udp4(A, B, 1, 2, 8, 64), null);
        assertThat(small.skAction()).isEqualTo(SkAction.PASS);
        TestRun big = sameAsBpftool("multi_prog", "cgroup_ingress", Frames.udp4(A, B, 1, 2, 1600, 64), null);
        assertThat(big.skAction()).isEqualTo(SkAction.DROP);
    }

    @Test
    void flowDissectorFillsKeysLikeBpftool() throws Exception {
        TestRun r = sameAsBpftool("multi_prog", "dissect_ipv4", Frames.udp4(A, B, 1000, 53, 8, 64), null);
        assertThat(r.verdict()).isEqualTo(BpfRetCode.OK);
        FlowKeys keys = r.flowKeys();
        assertThat(keys.src()).isEqualTo(InetAddress.getByAddress(A));
        assertThat(keys.dst()).isEqualTo(InetAddress.getByAddress(B));
        assertThat(keys.ipProto()).isEqualTo(17);
        assertThat(keys.nProto()).isEqualTo(0x0800);
        assertThat(keys.nhoff()).isEqualTo(14);
        assertThat(keys.thoff()).isEqualTo(34);
        TestRun arp = sameAsBpftool("multi_prog", "dissect_ipv4", Frames.ethernet(0x0806, new byte[28]), null);
        assertThat(arp.verdict()).isEqualTo(BpfRetCode.DROP);
    }

    @Test
    void skLookupLikeBpftool() throws Exception {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(A), 40000);
        SkLookupContext echo = SkLookupContext.tcp(remote, new InetSocketAddress(InetAddress.getByAddress(B), 7));
        SkLookupContext http = SkLookupContext.udp(remote, new InetSocketAddress(InetAddress.getByAddress(B), 80));
        TestRun drop = sameAsBpftool("multi_prog", "sk_lookup_echo", null, echo.encode());
        assertThat(drop.skAction()).isEqualTo(SkAction.DROP);
        TestRun pass = sameAsBpftool("multi_prog", "sk_lookup_echo", null, http.encode());
        assertThat(pass.skAction()).isEqualTo(SkAction.PASS);
        SkLookupContext out = pass.skLookupContext();
        assertThat(out.localPort()).isEqualTo(80);
        assertThat(out.remotePort()).isEqualTo(40000);
        assertThat(out.cookie()).isZero();
        try (BpfObject obj = BpfObject.load(object("multi_prog"))) {
            assertThat(obj.program("sk_lookup_echo").testRun().context(echo).run().skAction())
                    .isEqualTo(SkAction.DROP);
        }
    }

    @Test
    void lwtProgramsLikeBpftool() {
        // the kernel takes an Ethernet frame and starts an lwt program's packet at the network header
        byte[] frame = Frames.udp4(A, B, 1, 2, 8, 64);
        TestRun v4 = sameAsBpftool("run_types", "lwt_in_v4", frame, null);
        assertThat(v4.verdict()).isEqualTo(BpfRetCode.OK);
        // on the way out the kernel puts back 14 zero bytes where the Ethernet header was
        assertThat(Arrays.copyOfRange(v4.dataOut(), 0, 14)).containsOnly(0);
        byte[] v6 = new byte[40];
        v6[0] = 0x60;
        assertThat(sameAsBpftool("run_types", "lwt_in_v4", Frames.ethernet(0x86DD, v6), null).verdict())
                .isEqualTo(BpfRetCode.DROP);
        try (BpfObject obj = BpfObject.load(object("run_types"))) {
            TestRun r = obj.program("lwt_xmit_count").testRun().data(frame).repeat(5).run();
            assertThat(r.verdict()).isEqualTo(BpfRetCode.OK);
            assertThat(obj.globals().get("lwt_runs").asLong()).isEqualTo(5);
            assertThat(obj.globals().get("lwt_bytes").asLong()).isEqualTo(5L * (frame.length - 14));
        }
    }

    @Test
    void tcContextInAndOut() {
        byte[] in = Frames.udp4(A, B, 1, 2, 8, 64);
        SkbContext ctx = SkbContext.EMPTY.withMark(41).withCb(4, 77).withTstamp(123456789L);
        TestRun r = sameAsBpftool("run_types", "tc_ctx", in, ctx.encode());
        assertThat(r.tcAction()).isEqualTo(TcAction.OK);
        SkbContext out = r.skbContext();
        assertThat(out.mark()).isEqualTo(41);
        assertThat(out.priority()).isEqualTo(42);
        assertThat(out.cb()).containsExactly(in.length, 77, 0, 0, 77);
        assertThat(out.tstamp()).isEqualTo(123456789L);
        assertThat(out.wireLen()).isEqualTo(in.length);
        assertThat(out.ifindex()).isEqualTo(1);
        assertThat(sameAsBpftool("run_types", "tc_ctx", in, SkbContext.EMPTY.encode()).tcAction())
                .isEqualTo(TcAction.SHOT);
    }

    @Test
    void xdpContextAndMetadata() {
        try (BpfObject obj = BpfObject.load(object("run_types"))) {
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            byte[] withMeta = ByteBuffer.allocate(4 + packet.length).order(ByteOrder.nativeOrder()).putInt(0xabcd)
                    .put(packet).array();
            TestRun r = obj.program("xdp_meta").testRun().data(withMeta)
                    .context(XdpContext.ingress(1, 0).withMetadata(4)).run();
            assertThat(r.xdpAction()).isEqualTo(XdpAction.PASS);
            assertThat(obj.globals().get("meta_seen").asLong()).isEqualTo(0xabcd);
            assertThat(obj.globals().get("seen_ifindex").asLong()).isEqualTo(1);
            XdpContext out = r.xdpContext();
            assertThat(out.metadataLength()).isEqualTo(4);
            assertThat(out.dataEnd()).isEqualTo(withMeta.length);
            assertThat(r.dataOut()).isEqualTo(withMeta);
        }
    }

    @Test
    void xdpGrowthIsInDataOut() {
        byte[] in = Frames.udp4(A, B, 1, 2, 8, 64);
        TestRun r = sameAsBpftool("run_types", "xdp_grow", in, null);
        assertThat(r.dataOut()).hasSize(in.length + 4);
        assertThat(Arrays.copyOfRange(r.dataOut(), 0, 4)).containsExactly(0xde, 0xad, 0xbe, 0xef);
        assertThat(Arrays.copyOfRange(r.dataOut(), 4, in.length + 4)).isEqualTo(in);
    }

    @Test
    void rawTracepointWithArgs() {
        try (BpfObject obj = BpfObject.load(object("run_types"))) {
            BpfProgram p = obj.program("raw_args");
            TestRun r = p.testRun().context(new RawTracepointArgs(40, 2)).run();
            assertThat(r.retval()).isEqualTo(42);
            assertThat(obj.globals().get("last_arg").asLong()).isEqualTo(2);
            assertThat(p.testRun().context(new RawTracepointArgs(1, 5)).cpu(0).run().retval()).isEqualTo(6);
            assertThatThrownBy(() -> p.testRun().context(new RawTracepointArgs(1, 2)).repeat(3).run())
                    .isInstanceOf(BpfException.class).hasMessageContaining("once per test run");
        }
    }

    @Test
    void syscallProgramWithContext() {
        try (BpfObject obj = BpfObject.load(object("globals"))) {
            byte[] args = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(1).putInt(5).array();
            TestRun r = obj.program("globals_syscall").testRun().context(new SyscallContext(args)).run();
            assertThat(r.retval()).isEqualTo(5 * 2 + 7 + 11);
            assertThat(r.contextOut()).isEqualTo(args);
            assertThat(r.repeat()).isEqualTo(1);
        }
        try (BpfObject obj = BpfObject.load(object("multi_prog"))) {
            BpfProgram count = obj.program("syscall_count");
            assertThat(count.testRun().run().retval()).isEqualTo(1);
            assertThat(count.testRun().run().retval()).isEqualTo(2);
        }
    }

    @Test
    void repeatRunsTheProgramNTimesAndReportsADuration() {
        try (BpfObject obj = BpfObject.loader(object("globals")).global("max_packets", 1000L).load()) {
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            TestRun r = obj.program("globals_xdp").testRun().data(packet).repeat(250).run();
            assertThat(r.repeat()).isEqualTo(250);
            assertThat(r.durationNs()).isPositive();
            assertThat(obj.globals().get("packets").asLong()).isEqualTo(250);
            obj.program("globals_xdp").run(packet);
            assertThat(obj.globals().get("packets").asLong()).isEqualTo(251);
        }
    }

    @Test
    void ayaObjectRunsAsDocumented() {
        try (BpfObject obj = BpfObject.load(object("aya_maps"))) {
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            assertThat(obj.program("aya_xdp").run(packet).xdpAction()).isEqualTo(XdpAction.PASS);
            obj.map("BLOCKLIST").update(A, u32(1));
            assertThat(obj.program("aya_xdp").run(packet).xdpAction()).isEqualTo(XdpAction.DROP);
            assertThat(obj.program("aya_classifier").run(packet).tcAction()).isEqualTo(TcAction.OK);
            assertThat(obj.program("aya_socket").run(packet).retval()).isEqualTo(packet.length - 14);
            var counters = obj.map("COUNTERS");
            assertThat(counters.lookup(u32(XdpAction.PASS.raw())).map(v -> Samples.u32(v, 0))).contains(1);
            assertThat(counters.lookup(u32(XdpAction.DROP.raw())).map(v -> Samples.u32(v, 0))).contains(1);
            assertThat(obj.map("PER_CPU").sumPerCpu(0)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kprobe_nanosleep", "tp_getpid"})
    void typesTheKernelCannotRunSaySoAndWhatToDo(String program) {
        try (BpfObject obj = BpfObject.load(object("multi_prog"))) {
            assertThatThrownBy(() -> obj.program(program).run(new byte[64]))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("cannot test-run")
                    .hasMessageContaining("instead, attach it");
        }
    }

    @Test
    void shortPacketNamesTheMinimum() {
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            assertThatThrownBy(() -> obj.program("xdp_fw").run(new byte[10]))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("the packet is 10 bytes")
                    .hasMessageContaining("at least 14");
        }
    }

    @Test
    void anSkbRunNeedsTheWholeIpHeaderItsEthertypeAnnounces() {
        try (BpfObject obj = BpfObject.load(object("tc_rewrite"))) {
            BpfProgram tc = obj.program("tc_rewrite");
            // 29 bytes: an Ethernet header saying IPv4 and 15 of the IPv4 header's 20 bytes
            assertThatThrownBy(() -> tc.run(Frames.ethernet(0x0800, new byte[15])))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("the packet is 29 bytes, but its ethertype 0x0800 says IPv4")
                    .hasMessageContaining("needs the whole IPv4 header: at least 34 bytes")
                    .hasMessageNotContaining("must fit a page");
            assertThatThrownBy(() -> tc.run(Frames.ethernet(0x86dd, new byte[39])))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("needs the whole IPv6 header: at least 54 bytes");
            // the whole header is enough, and another ethertype needs only the Ethernet header
            tc.run(Frames.ethernet(0x0800, new byte[20]));
            tc.run(Frames.ethernet(0x86dd, new byte[40]));
            tc.run(Frames.ethernet(0x0806, new byte[4]));
        }
    }

    @Test
    void wrongContextAndFlagsAreRefusedBeforeTheCall() {
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            BpfProgram p = obj.program("xdp_fw");
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            assertThatThrownBy(() -> p.testRun().data(packet).context(SkbContext.EMPTY).run())
                    .hasMessageContaining("struct __sk_buff is not the context of a XDP program");
            assertThatThrownBy(() -> p.testRun().data(packet).cpu(0).run())
                    .hasMessageContaining("only for raw tracepoint programs");
            assertThatThrownBy(() -> p.testRun().run()).hasMessageContaining("needs a packet");
            // a context the kernel refuses: the message explains its checks
            byte[] bad = XdpContext.ingress(0, 3).encode();
            assertThatThrownBy(() -> p.testRun().data(packet).context(bad).run())
                    .hasMessageContaining("EINVAL").hasMessageContaining("rx_queue_index");
        }
    }

    @Test
    void liveFramesRunWithoutCopyingBack() {
        Optional<String> refused = Features.xdpLiveFramesUnavailableReason();
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            if (refused.isPresent()) {
                // A kernel that refuses the mode (this project's CI host answers EPERM): the failure says so and
                // what to do; the same run without live frames works.
                assertThatThrownBy(() -> obj.program("xdp_fw").testRun().data(packet).repeat(10).liveFrames(4).run())
                        .hasMessageContaining("live-frame mode").hasMessageContaining("xdpLiveFramesUnavailableReason");
                assertThat(obj.program("xdp_fw").testRun().data(packet).run().verdict()).isEqualTo(XdpAction.PASS);
                assumeTrue(false, refused.get());
            }
            TestRun r = obj.program("xdp_fw").testRun().data(packet).repeat(10).liveFrames(4).run();
            assertThat(r.dataOut()).isEmpty();
            assertThat(obj.map("stats").sumPerCpu(XdpAction.PASS.raw(), "packets")).isEqualTo(10);
        }
    }
}
