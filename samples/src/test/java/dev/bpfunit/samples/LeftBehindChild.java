package dev.bpfunit.samples;

import dev.bpfunit.BpfObject;
import dev.bpfunit.Cgroup;
import dev.bpfunit.TcDirection;
import dev.bpfunit.UdpSocket;
import dev.bpfunit.VethPair;
import dev.bpfunit.XdpMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link LeftBehindTest}: makes every kind of live fixture and attachment, prints what it made on
 * one line, then either closes everything ({@code close}) or waits to be killed ({@code kill}).
 */
final class LeftBehindChild {

    private LeftBehindChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean close = args.length > 0 && args[0].equals("close");
        VethPair veth = VethPair.create();
        Cgroup cgroup = Cgroup.create();
        Process sleeper = cgroup.start("sleep", "600");
        BpfObject xdp = BpfObject.loader(Samples.object("xdp_drop_port")).load();
        BpfObject tc = BpfObject.loader(Samples.object("tcx_port_rewrite")).load();
        BpfObject cg = BpfObject.loader(Samples.object("cgroup_connect")).load();
        BpfObject sk = BpfObject.loader(Samples.object("sock_max_len")).load();
        xdp.program("xdp_drop_port").attachXdp(veth.first(), XdpMode.GENERIC);
        tc.program("tcx_port_rewrite").attachTc(veth.second(), TcDirection.EGRESS);
        cg.program("connect4_redirect").attachToCgroup(cgroup);
        cg.program("count_egress").attachToCgroup(cgroup);
        UdpSocket socket = veth.first().netns().udpSocket(veth.first().requireAddress(), 0);
        sk.program("sock_max_len").attachToSocket(socket);
        List<String> progIds = new ArrayList<>();
        for (BpfObject o : List.of(xdp, tc, cg, sk)) {
            o.programs().forEach(p -> progIds.add(Integer.toString(p.info().id())));
        }
        String made = "netns=" + veth.first().netns().inode() + "," + veth.second().netns().inode()
                + " cgroup=" + cgroup.path() + " sleeper=" + sleeper.pid() + " progs=" + String.join(",", progIds);
        if (close) {
            for (AutoCloseable c : List.of(xdp, tc, cg, sk, cgroup, veth)) {
                c.close();
            }
            System.out.println("CLOSED " + made);
            System.out.flush();
            return;
        }
        System.out.println("READY " + made);
        System.out.flush();
        Thread.sleep(600_000);
        // reachable until the JVM is killed: a GC would let the Cleaners close what the program no longer reaches
        java.lang.ref.Reference.reachabilityFence(List.of(xdp, tc, cg, sk, cgroup, veth, socket));
    }
}
