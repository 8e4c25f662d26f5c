package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The layout of rtnetlink requests, byte by byte, without a kernel. */
class RtnetlinkMessageTest {

    @Test
    void headerFamilyHeaderAndPaddedAttributes() {
        Rtnetlink.Msg m = new Rtnetlink.Msg(Rtnetlink.RTM_NEWLINK, Rtnetlink.NLM_F_CREATE).ifinfo(7, 1, 1);
        m.string(Rtnetlink.IFLA_IFNAME, "veth0");   // 4 + 6 bytes, padded to 12
        m.u32(Rtnetlink.IFLA_NET_NS_FD, 42);
        ByteBuffer b = ByteBuffer.wrap(m.finish(9)).order(ByteOrder.nativeOrder());

        assertThat(b.limit()).isEqualTo(16 + 16 + 12 + 8);
        assertThat(b.getInt(0)).as("nlmsg_len").isEqualTo(b.limit());
        assertThat(b.getShort(4)).as("nlmsg_type").isEqualTo((short) 16);
        assertThat(b.getShort(6)).as("nlmsg_flags: request, ack, create")
                .isEqualTo((short) (Rtnetlink.NLM_F_REQUEST | Rtnetlink.NLM_F_ACK | Rtnetlink.NLM_F_CREATE));
        assertThat(b.getInt(8)).as("nlmsg_seq").isEqualTo(9);
        assertThat(b.getInt(16 + 4)).as("ifi_index").isEqualTo(7);
        assertThat(b.getInt(16 + 8)).as("ifi_flags").isEqualTo(1);
        assertThat(b.getInt(16 + 12)).as("ifi_change").isEqualTo(1);
        assertThat(b.getShort(32)).as("rta_len of the name, unpadded").isEqualTo((short) 10);
        assertThat(b.getShort(34)).as("rta_type").isEqualTo((short) Rtnetlink.IFLA_IFNAME);
        assertThat(b.get(36 + 5)).as("NUL").isZero();
        assertThat(b.getShort(44)).isEqualTo((short) 8);
        assertThat(b.getShort(46)).isEqualTo((short) Rtnetlink.IFLA_NET_NS_FD);
        assertThat(b.getInt(48)).isEqualTo(42);
    }

    @Test
    void nestedAttributesCarryTheirWholeLengthAndTheNestedFlag() {
        Rtnetlink.Msg m = new Rtnetlink.Msg(Rtnetlink.RTM_NEWLINK, 0).ifinfo(0, 0, 0);
        m.begin(Rtnetlink.IFLA_LINKINFO);
        m.string(Rtnetlink.IFLA_INFO_KIND, "veth");   // 4 + 5, padded to 12
        m.begin(Rtnetlink.IFLA_INFO_DATA);
        m.u32(1, 5);
        m.end().end();
        ByteBuffer b = ByteBuffer.wrap(m.finish(1)).order(ByteOrder.nativeOrder());

        int linkinfo = 32;
        assertThat(b.getShort(linkinfo)).as("IFLA_LINKINFO length").isEqualTo((short) (4 + 12 + 4 + 8));
        assertThat(b.getShort(linkinfo + 2)).isEqualTo((short) (Rtnetlink.IFLA_LINKINFO | Rtnetlink.NLA_F_NESTED));
        int data = linkinfo + 4 + 12;
        assertThat(b.getShort(data)).as("IFLA_INFO_DATA length").isEqualTo((short) 12);
        assertThat(b.getShort(data + 2)).isEqualTo((short) (Rtnetlink.IFLA_INFO_DATA | Rtnetlink.NLA_F_NESTED));
    }

    @Test
    void tcFilterHandlesFollowTcMacros() {
        assertThat(Rtnetlink.clsactParent(true)).isEqualTo(0xFFFFFFF2);    // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
        assertThat(Rtnetlink.clsactParent(false)).isEqualTo(0xFFFFFFF3);   // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)
        // tcm_info = TC_H_MAKE(priority << 16, htons(ETH_P_ALL)), as a u32 in host order
        int info = Rtnetlink.filterInfo(1);
        assertThat(info >>> 16).isEqualTo(1);
        assertThat(ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) info).array())
                .as("protocol in network order").containsExactly(0x00, 0x03);
        Rtnetlink.Msg m = new Rtnetlink.Msg(Rtnetlink.RTM_NEWTFILTER, 0)
                .tcmsg(3, 1, Rtnetlink.clsactParent(true), info);
        ByteBuffer b = ByteBuffer.wrap(m.finish(1)).order(ByteOrder.nativeOrder());
        assertThat(b.limit()).isEqualTo(16 + Rtnetlink.TCMSG_LEN);
        assertThat(b.getInt(16 + 4)).as("tcm_ifindex").isEqualTo(3);
        assertThat(b.getInt(16 + 12)).as("tcm_parent: TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)").isEqualTo(0xFFFFFFF2);
    }
}
