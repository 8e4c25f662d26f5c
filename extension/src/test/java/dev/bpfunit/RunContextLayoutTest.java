package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.Member;
import dev.bpfunit.btf.Struct;
import dev.bpfunit.btf.Union;
import dev.bpfunit.spec.ProgramType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The run contexts' layouts against the running kernel's BTF ({@code /sys/kernel/btf/vmlinux}): every
 * offset bpfunit writes is the member's offset there, every size the struct's size; plus encode/decode
 * round trips and the verdict tables.
 */
class RunContextLayoutTest {
    private static Btf vmlinux;

    @BeforeAll
    static void readVmlinux() {
        assumeTrue(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), "no kernel BTF at /sys/kernel/btf/vmlinux");
        vmlinux = Btf.vmlinux();
    }

    /** Member byte offsets of a struct, anonymous unions and structs flattened. */
    private static Map<String, Integer> offsets(String struct) {
        Struct s = vmlinux.type(vmlinux.id(struct, Struct.class), Struct.class);
        Map<String, Integer> out = new HashMap<>();
        collect(s.members(), 0, out);
        out.put("sizeof", s.size());
        return out;
    }

    private static void collect(java.util.List<Member> members, int base, Map<String, Integer> out) {
        for (Member m : members) {
            int offset = base + m.bitOffset() / 8;
            if (m.name().isEmpty()) {
                var t = vmlinux.resolvedType(m.type());
                if (t instanceof Struct s) {
                    collect(s.members(), offset, out);
                } else if (t instanceof Union u) {
                    collect(u.members(), offset, out);
                }
            } else {
                out.putIfAbsent(m.name(), offset);
            }
        }
    }

    @Test
    void skBuffOffsetsAreTheKernels() {
        Map<String, Integer> k = offsets("__sk_buff");
        assertThat(SkbContext.SIZE).isEqualTo(k.get("sizeof"));
        assertThat(SkbContext.MARK).isEqualTo(k.get("mark"));
        assertThat(SkbContext.PRIORITY).isEqualTo(k.get("priority"));
        assertThat(SkbContext.INGRESS_IFINDEX).isEqualTo(k.get("ingress_ifindex"));
        assertThat(SkbContext.IFINDEX).isEqualTo(k.get("ifindex"));
        assertThat(SkbContext.CB).isEqualTo(k.get("cb"));
        assertThat(SkbContext.TSTAMP).isEqualTo(k.get("tstamp"));
        assertThat(SkbContext.WIRE_LEN).isEqualTo(k.get("wire_len"));
        assertThat(SkbContext.GSO_SEGS).isEqualTo(k.get("gso_segs"));
        assertThat(SkbContext.GSO_SIZE).isEqualTo(k.get("gso_size"));
        assertThat(SkbContext.HWTSTAMP).isEqualTo(k.get("hwtstamp"));
    }

    @Test
    void xdpMdFlowKeysAndSkLookupOffsetsAreTheKernels() {
        Map<String, Integer> x = offsets("xdp_md");
        assertThat(XdpContext.SIZE).isEqualTo(x.get("sizeof"));
        byte[] xdp = new XdpContext(1, 2, 3, 4, 5, 6).encode();
        ByteBuffer b = ByteBuffer.wrap(xdp).order(ByteOrder.nativeOrder());
        assertThat(b.getInt(x.get("data"))).isEqualTo(1);
        assertThat(b.getInt(x.get("data_end"))).isEqualTo(2);
        assertThat(b.getInt(x.get("data_meta"))).isEqualTo(3);
        assertThat(b.getInt(x.get("ingress_ifindex"))).isEqualTo(4);
        assertThat(b.getInt(x.get("rx_queue_index"))).isEqualTo(5);
        assertThat(b.getInt(x.get("egress_ifindex"))).isEqualTo(6);

        Map<String, Integer> f = offsets("bpf_flow_keys");
        assertThat(FlowKeys.SIZE).isEqualTo(f.get("sizeof"));
        assertThat(ByteBuffer.wrap(FlowKeys.withFlags(5).encode()).order(ByteOrder.nativeOrder())
                .getInt(f.get("flags"))).isEqualTo(5);
        assertThat(f.get("ipv4_src")).isEqualTo(16);
        assertThat(f.get("ipv6_dst")).isEqualTo(32);
        assertThat(f.get("flow_label")).isEqualTo(52);

        Map<String, Integer> s = offsets("bpf_sk_lookup");
        assertThat(SkLookupContext.SIZE).isEqualTo(s.get("sizeof"));
        assertThat(SkLookupContext.COOKIE).isEqualTo(s.get("cookie"));
        assertThat(SkLookupContext.FAMILY).isEqualTo(s.get("family"));
        assertThat(SkLookupContext.PROTOCOL).isEqualTo(s.get("protocol"));
        assertThat(SkLookupContext.REMOTE_IP4).isEqualTo(s.get("remote_ip4"));
        assertThat(SkLookupContext.REMOTE_IP6).isEqualTo(s.get("remote_ip6"));
        assertThat(SkLookupContext.REMOTE_PORT).isEqualTo(s.get("remote_port"));
        assertThat(SkLookupContext.LOCAL_IP4).isEqualTo(s.get("local_ip4"));
        assertThat(SkLookupContext.LOCAL_IP6).isEqualTo(s.get("local_ip6"));
        assertThat(SkLookupContext.LOCAL_PORT).isEqualTo(s.get("local_port"));
    }

    @Test
    void contextsRoundTrip() throws Exception {
        SkbContext skb = SkbContext.EMPTY.withMark(1).withPriority(2).withIngressIfindex(3).withIfindex(4)
                .withCb(0, 5).withCb(4, 9).withTstamp(6).withWireLen(7).withGso(8, 10).withHwtstamp(11);
        assertThat(SkbContext.decode(skb.encode())).isEqualTo(skb);
        XdpContext xdp = XdpContext.ingress(2, 1).withMetadata(8);
        assertThat(XdpContext.decode(xdp.encode())).isEqualTo(xdp);
        assertThat(xdp.metadataLength()).isEqualTo(8);
        SkLookupContext v6 = SkLookupContext.tcp(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1234),
                new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 443));
        assertThat(SkLookupContext.decode(v6.encode())).isEqualTo(v6);
        byte[] encoded = v6.encode();
        assertThat(encoded[SkLookupContext.REMOTE_PORT]).as("remote port in network order").isEqualTo((byte) 0x04);
        assertThat(encoded[SkLookupContext.REMOTE_PORT + 1]).isEqualTo((byte) 0xd2);
        assertThat(new RawTracepointArgs(1, -1).encode()).hasSize(16);
        assertThat(SkbContext.EMPTY.encode()).containsOnly(0);
    }

    @Test
    void badContextsAreRefusedClearly() {
        assertThatThrownBy(() -> new RawTracepointArgs(new long[13])).hasMessageContaining("at most 12");
        assertThatThrownBy(() -> XdpContext.ingress(1, 0).withMetadata(3)).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> SkbContext.EMPTY.withCb(5, 1)).hasMessageContaining("0..4");
        assertThatThrownBy(() -> SkbContext.decode(new byte[10])).isInstanceOf(BpfException.class)
                .hasMessageContaining("192 bytes");
        assertThatThrownBy(() -> new FlowKeys(14, 0, 0, false, false, false, 0, 0, 0, 0, null, null, 0, 0).encode())
                .hasMessageContaining("only 'flags'");
    }

    @Test
    void verdictsKeepUnknownValues() {
        assertThat(Verdict.of(ProgramType.XDP, 2)).isEqualTo(XdpAction.PASS);
        assertThat(Verdict.of(ProgramType.SCHED_CLS, -1)).isEqualTo(TcAction.UNSPEC);
        assertThat(Verdict.of(ProgramType.SCHED_ACT, 2)).isEqualTo(TcAction.SHOT);
        assertThat(Verdict.of(ProgramType.SK_LOOKUP, 1)).isEqualTo(SkAction.PASS);
        assertThat(Verdict.of(ProgramType.LWT_XMIT, 7)).isEqualTo(BpfRetCode.REDIRECT);
        Verdict odd = Verdict.of(ProgramType.XDP, 9);
        assertThat(odd).isEqualTo(new RawVerdict(ProgramType.XDP, 9));
        assertThat(odd.raw()).isEqualTo(9);
        assertThat(Verdict.of(ProgramType.SOCKET_FILTER, 60).name()).isEqualTo("60");
        assertThatThrownBy(() -> XdpAction.of(9)).hasMessageContaining("ABORTED=0");
        assertThat(TcAction.of(7)).isEqualTo(TcAction.REDIRECT);
    }

    @Test
    void eachProgramTypesVerdictTypeComesFromOneTable() {
        assertThat(Verdict.typeOf(ProgramType.XDP)).isEqualTo(XdpAction.class);
        assertThat(Verdict.typeOf(ProgramType.SCHED_ACT)).isEqualTo(TcAction.class);
        assertThat(Verdict.typeOf(ProgramType.CGROUP_SKB)).isEqualTo(SkAction.class);
        assertThat(Verdict.typeOf(ProgramType.FLOW_DISSECTOR)).isEqualTo(BpfRetCode.class);
        assertThat(Verdict.typeOf(ProgramType.SOCKET_FILTER)).isEqualTo(RawVerdict.class);
        byte[] none = new byte[0];
        assertThat(new TestRun(2, none, none, none, 0, 1, ProgramType.SCHED_ACT).tcAction()).isEqualTo(TcAction.SHOT);
        assertThat(new TestRun(1, none, none, none, 0, 1, ProgramType.CGROUP_SKB).skAction()).isEqualTo(SkAction.PASS);
        assertThatThrownBy(() -> new TestRun(2, none, none, none, 0, 1, ProgramType.XDP).tcAction())
                .hasMessage("the run was of a XDP program, whose result is not a tc action (retval 2); use verdict() "
                        + "or retval()");
    }

    @Test
    void codecs() throws Exception {
        assertThat(MapCodec.u32().decode(MapCodec.u32().encode(-2))).isEqualTo(-2);
        assertThat(MapCodec.u16().encode(0x1234)).containsExactly(0x34, 0x12);
        assertThat(MapCodec.be16().encode(0x1234)).containsExactly(0x12, 0x34);
        assertThat(MapCodec.ipv4().encode((java.net.Inet4Address) InetAddress.getByName("10.1.2.3")))
                .containsExactly(10, 1, 2, 3);
        assertThatThrownBy(() -> MapCodec.u8().encode(256)).hasMessageContaining("does not fit a u8");
        assertThatThrownBy(() -> MapCodec.u64().decode(new byte[4])).hasMessageContaining("u64 is 8 bytes");
    }

    @Test
    void cannotRunMessagesNameTheTypeAndAWayOut() {
        assertThat(TestRunBuilder.cannotRun(ProgramType.KPROBE, dev.bpfunit.spec.AttachType.NONE))
                .contains("KPROBE").contains("kprobe link");
        assertThat(TestRunBuilder.cannotRun(ProgramType.LSM, dev.bpfunit.spec.AttachType.LSM_MAC))
                .contains("LSM link");
    }
}
