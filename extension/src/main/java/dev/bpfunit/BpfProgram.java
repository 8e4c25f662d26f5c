package dev.bpfunit;

import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.ProgInfo;

/** A program loaded into the kernel (the verifier accepted it). Closed with its object. */
public final class BpfProgram implements AutoCloseable {

    private final ProgramSpec spec;
    private final Fd fd;
    private final VerifierLog verifierLog;
    /** The object that loaded this program (its links are registered there); set once by the object. */
    private volatile BpfObject owner;

    BpfProgram(ProgramSpec spec, Fd fd) {
        this(spec, fd, null);
    }

    BpfProgram(ProgramSpec spec, Fd fd, VerifierLog verifierLog) {
        this.spec = spec;
        this.fd = fd;
        this.verifierLog = verifierLog;
    }

    /** The function's name. */
    public String name() {
        return spec.name();
    }

    /** The program type it was loaded as. */
    public ProgramType type() {
        return spec.type();
    }

    /** The linked definition it was loaded from. */
    public ProgramSpec spec() {
        return spec;
    }

    /**
     * The verifier's log of the accepted load, with its statistics ({@code processed N insns}), when the
     * loader asked for one ({@code BpfObjectLoader#logLevel(int)} 1 or 2); empty otherwise.
     */
    public java.util.Optional<VerifierLog> verifierLog() {
        return java.util.Optional.ofNullable(verifierLog);
    }

    /** The kernel's file descriptor for this program. */
    public Fd fd() {
        return fd;
    }

    /** What the kernel reports about the program ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    public ProgInfo info() {
        return Bpf.progInfo(fd);
    }

    /**
     * Runs the program once on {@code data} ({@code BPF_PROG_TEST_RUN}) with the default output buffers;
     * see {@link #testRun()} for contexts, repetitions and flags.
     */
    public TestRun run(byte[] data) {
        return testRun().data(data).run();
    }

    /** A test run of this program to configure: data, context, repeat, CPU, live frames. */
    public TestRunBuilder testRun() {
        return new TestRunBuilder(this);
    }

    /** Closes the program's file descriptor. */
    @Override
    public void close() {
        fd.close();
    }

    void owner(BpfObject object) {
        this.owner = object;
    }

    // ---- network and cgroup attach (logic in NetAttach); each Link is closed with the object

    /** Attaches this XDP program to {@code device} in {@code mode} (a BPF link; netlink before Linux 5.9). */
    public Link attachXdp(NetDevice device, XdpMode mode) {
        return NetAttach.xdp(this, owner, device, mode);
    }

    /** Attaches this tc program to {@code device} (a TCX link on Linux 6.6+, else a clsact filter). */
    public Link attachTc(NetDevice device, TcDirection direction) {
        return NetAttach.tc(this, owner, device, direction);
    }

    /** Attaches this tc program to a netkit {@code device} as {@code NETKIT_PRIMARY} or {@code NETKIT_PEER} (6.7+). */
    public Link attachNetkit(NetDevice device, dev.bpfunit.spec.AttachType type) {
        return NetAttach.netkit(this, owner, device, type);
    }

    /** Attaches this cgroup program to {@code cgroup} at the hook its section names ({@code cgroup/connect4}). */
    public Link attachToCgroup(Cgroup cgroup) {
        return NetAttach.cgroup(this, owner, cgroup, null);
    }

    /** Attaches this cgroup program to {@code cgroup} at the hook {@code type}. */
    public Link attachToCgroup(Cgroup cgroup, dev.bpfunit.spec.AttachType type) {
        return NetAttach.cgroup(this, owner, cgroup, type);
    }

    /** Attaches this sk_lookup program to the network namespace {@code netns}. */
    public Link attachSkLookup(NetNs netns) {
        return NetAttach.skLookup(this, owner, netns);
    }

    /** Attaches this socket filter to {@code socket} ({@code SO_ATTACH_BPF}). */
    public Link attachToSocket(UdpSocket socket) {
        return NetAttach.socket(this, owner, socket.fd(), socket.toString());
    }

    /** Attaches this socket filter to {@code socket} ({@code SO_ATTACH_BPF}). */
    public Link attachToSocket(TcpSocket socket) {
        return NetAttach.socket(this, owner, socket.fd(), socket.toString());
    }

    /** Attaches this sk_msg/sk_skb program to a SOCKMAP or SOCKHASH at the hook its section names. */
    public Link attachToMap(BpfMap sockmap) {
        return NetAttach.sockmap(this, owner, sockmap, null);
    }

    /** Attaches this sk_msg/sk_skb program to a SOCKMAP or SOCKHASH at the hook {@code type}. */
    public Link attachToMap(BpfMap sockmap, dev.bpfunit.spec.AttachType type) {
        return NetAttach.sockmap(this, owner, sockmap, type);
    }

    @Override
    public String toString() {
        return "program '" + name() + "' (" + spec.type() + ", section " + spec.section() + ")";
    }
}
