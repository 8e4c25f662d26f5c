package dev.bpfunit.sys;

import static dev.bpfunit.sys.BpfMapTest.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Program, BTF, pinning and link commands against this machine's kernel (needs root or CAP_BPF). */
class BpfProgTest {
    private static final int XDP_PASS = 2;
    private static final int BPF_CGROUP_INET_INGRESS = 0;
    private static final int BPF_XDP = 37;

    /** {@code r0 = imm; exit}. */
    static byte[] returns(int imm) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xb7).put((byte) 0).putShort((short) 0).putInt(imm)   // mov64 r0, imm
                .put((byte) 0x95).put((byte) 0).putShort((short) 0).putInt(0)    // exit
                .array();
    }

    @BeforeAll
    static void privileged() {
        assumeTrue(SystemInfo.hasCapBpf(), "needs root or CAP_BPF to load programs");
    }

    static Fd xdp(String name, byte[] insns) {
        return Bpf.progLoad(new ProgLoadAttr().progType(BpfConstants.BPF_PROG_TYPE_XDP).instructions(insns)
                .license("GPL").progName(name));
    }

    @Test
    void xdpProgramRunsAndReturnsItsVerdict() {
        try (Fd prog = xdp("sys_xdp_pass", returns(XDP_PASS))) {
            assertThat(prog.description()).isEqualTo("program 'sys_xdp_pass'");
            byte[] packet = new byte[64];
            for (int i = 0; i < packet.length; i++) {
                packet[i] = (byte) i;
            }
            TestRunResult once = Bpf.progTestRun(prog, new ProgTestRunAttr().dataIn(packet));
            assertThat(once.retval()).isEqualTo(XDP_PASS);
            assertThat(once.dataOut()).isEqualTo(packet);
            assertThat(once.dataSizeOut()).isEqualTo(64);

            TestRunResult many = Bpf.progTestRun(prog, new ProgTestRunAttr().dataIn(packet).repeat(100));
            assertThat(many.retval()).isEqualTo(XDP_PASS);
            assertThat(many.durationNs()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void aRunIntoTheAttrHandsItsOutputOverOnce() {
        try (Fd prog = xdp("sys_xdp_into", returns(XDP_PASS))) {
            byte[] packet = new byte[64];
            for (int i = 0; i < packet.length; i++) {
                packet[i] = (byte) (i * 3);
            }
            ProgTestRunAttr attr = new ProgTestRunAttr().dataIn(packet);
            Bpf.progTestRunInto(prog, attr);
            assertThat(attr.retvalAfterCall()).isEqualTo(XDP_PASS);
            assertThat(attr.durationNsAfterCall()).isGreaterThanOrEqualTo(0);
            assertThat(attr.reportedDataSizeOut()).isEqualTo(64);
            assertThat(attr.takeCtxOut()).as("no context asked for").isEmpty();
            byte[] out = attr.takeDataOut();
            assertThat(out).isEqualTo(packet);
            assertThat(attr.takeDataOut()).as("handed over: the attr keeps none of it").isEmpty();
            out[0] = 42;
            assertThat(attr.result().dataOut()).as("nothing shared with the attr").isEmpty();

            Bpf.progTestRunInto(prog, attr);
            assertThat(attr.takeDataOut()).as("the next call's output").isEqualTo(packet);
        }
    }

    /** A closed load attr has freed its memory: no call is made with it and its log is no longer read. */
    @Test
    void aClosedLoadAttrCannotBeCalledWithOrReadAgain() {
        ProgLoadAttr attr = new ProgLoadAttr().progType(BpfConstants.BPF_PROG_TYPE_XDP).instructions(returns(XDP_PASS))
                .license("GPL").progName("sys_closed").logLevel(BpfConstants.BPF_LOG_STATS).logSize(4096);
        try (Fd prog = Bpf.progLoad(attr)) {
            assertThat(attr.log()).contains("processed 2 insns");
        }

        attr.close();

        assertThatThrownBy(() -> Bpf.progLoad(attr)).isInstanceOf(IllegalStateException.class)
                .hasMessage("ProgLoadAttr was closed: its memory is freed");
        assertThatThrownBy(attr::log).isInstanceOf(IllegalStateException.class)
                .hasMessage("ProgLoadAttr was closed: its memory is freed");
        attr.close(); // twice is harmless
        BtfLoadAttr btf = new BtfLoadAttr().btf(new byte[] {1, 2, 3}).logLevel(1).logSize(4096);
        btf.close();
        assertThatThrownBy(btf::logTrueSize).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void tooSmallOutputBufferReportsTheNeededSize() {
        try (Fd prog = xdp("sys_xdp_small", returns(XDP_PASS))) {
            ProgTestRunAttr attr = new ProgTestRunAttr().dataIn(new byte[64]).dataSizeOut(16);
            assertThatThrownBy(() -> Bpf.progTestRun(prog, attr)).isInstanceOf(BpfSyscallException.class)
                    .hasMessageStartingWith("BPF_PROG_TEST_RUN program 'sys_xdp_small' (fd " + prog.raw()
                            + "): ENOSPC (No space left on device): output buffer too small: the kernel reported 64 "
                            + "bytes of data (buffer 16)");
            assertThat(attr.reportedDataSizeOut()).isEqualTo(64);
        }
    }

    @Test
    void tooShortPacketIsRejectedWithAHint() {
        try (Fd prog = xdp("sys_xdp_short", returns(XDP_PASS))) {
            assertThatThrownBy(() -> Bpf.progTestRun(prog, new ProgTestRunAttr().dataIn(new byte[2])))
                    .isInstanceOf(BpfSyscallException.class).hasMessageContaining("EINVAL")
                    .hasMessageContaining("input too short");
        }
    }

    @Test
    void verifierRejectionKeepsTheLog() {
        byte[] exitOnly = {(byte) 0x95, 0, 0, 0, 0, 0, 0, 0};
        ProgLoadAttr attr = new ProgLoadAttr().progType(BpfConstants.BPF_PROG_TYPE_XDP).instructions(exitOnly)
                .license("GPL").progName("sys_bad").logLevel(1).logSize(64 * 1024);
        assertThatThrownBy(() -> Bpf.progLoad(attr)).isInstanceOf(BpfSyscallException.class)
                .hasMessage("BPF_PROG_LOAD program 'sys_bad': EACCES (Permission denied): the verifier rejected the "
                        + "program; load it with log level 1 or 2 and read the log");
        assertThat(attr.log()).contains("R0 !read_ok");
        assertThat(attr.logTrueSize()).as("log_true_size on 6.4+").isPositive()
                .isEqualTo(attr.log().getBytes(StandardCharsets.UTF_8).length + 1);
    }

    @Test
    void progInfoMatchesTheLoadedProgramAndItsMaps() {
        try (Fd map = BpfMapTest.array("sys_used", 4, 1, 0)) {
            // r1 = map (ld_imm64 with BPF_PSEUDO_MAP_FD); r0 = 2; exit
            byte[] insns = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) 0x18).put((byte) 0x11).putShort((short) 0).putInt(map.raw())
                    .putLong(0)
                    .put(returns(XDP_PASS)).array();
            try (Fd prog = xdp("sys_info", insns)) {
                ProgInfo info = Bpf.progInfo(prog);
                assertThat(info.type()).isEqualTo(BpfConstants.BPF_PROG_TYPE_XDP);
                assertThat(info.id()).isPositive();
                assertThat(info.name()).isEqualTo("sys_info");
                assertThat(info.tag()).matches("[0-9a-f]{16}");
                assertThat(info.mapIds()).containsExactly(Bpf.mapInfo(map).id());
                assertThat(info.nrMapIds()).isEqualTo(1);
                assertThat(info.xlatedProgLen()).isPositive();
                assertThat(info.xlatedInsns()).hasSize(info.xlatedProgLen());
                assertThat(info.jitedProgLen()).isPositive();
                assertThat(info.verifiedInsns()).isPositive();
                assertThat(info.loadTime()).isPositive();

                try (Fd again = Bpf.progGetFdById(info.id())) {
                    assertThat(Bpf.progInfo(again).tag()).isEqualTo(info.tag());
                }
                assertThat(Bpf.progGetNextId(info.id() - 1)).hasValue(info.id());
            }
        }
    }

    /** A BTF blob with one type, {@code int} (32-bit signed). */
    static byte[] intBtf(int magic) {
        byte[] strings = "\0int\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + strings.length).order(ByteOrder.nativeOrder());
        b.putShort((short) magic).put((byte) 1).put((byte) 0).putInt(24); // magic, version, flags, hdr_len
        b.putInt(0).putInt(16).putInt(16).putInt(strings.length);          // type_off/len, str_off/len
        b.putInt(1).putInt(1 << 24).putInt(4).putInt((1 << 24) | 32);      // INT "int", size 4, signed, 32 bits
        b.put(strings);
        return b.array();
    }

    @Test
    void btfLoadInfoAndGetById() {
        byte[] blob = intBtf(0xeB9F);
        try (Fd btf = Bpf.btfLoad(new BtfLoadAttr().btf(blob), "BTF of test.bpf.o")) {
            assertThat(btf.description()).isEqualTo("BTF of test.bpf.o");
            BtfInfo info = Bpf.btfInfo(btf);
            assertThat(info.id()).isPositive();
            assertThat(info.size()).isEqualTo(blob.length);
            assertThat(info.name()).isEmpty();
            assertThat(info.kernelBtf()).isFalse();
            try (Fd again = Bpf.btfGetFdById(info.id(), "BTF id " + info.id())) {
                assertThat(Bpf.btfInfo(again).id()).isEqualTo(info.id());
            }
        }
    }

    @Test
    void badBtfKeepsTheLog() {
        BtfLoadAttr attr = new BtfLoadAttr().btf(intBtf(0x1234)).logLevel(1).logSize(4096);
        assertThatThrownBy(() -> Bpf.btfLoad(attr)).isInstanceOf(BpfSyscallException.class)
                .hasMessageStartingWith("BPF_BTF_LOAD BTF: EINVAL (Invalid argument)");
        assertThat(attr.log()).containsIgnoringCase("magic");
        assertThat(attr.logTrueSize()).isPositive();
    }

    @Test
    void pinAndGetBack() throws IOException {
        Path bpffs = Path.of("/sys/fs/bpf");
        assumeTrue(Files.isDirectory(bpffs), "needs a BPF filesystem at /sys/fs/bpf");
        Path pin = bpffs.resolve("bpfunit-sys-test-" + ProcessHandle.current().pid());
        try (Fd map = BpfMapTest.array("sys_pinned", 4, 1, 0)) {
            Bpf.mapUpdateElem(map, u32(0), u32(42), 0);
            Bpf.objPin(map, pin.toString());
            try (Fd got = Bpf.objGet(pin.toString(), "map 'sys_pinned' (pinned)")) {
                assertThat(Bpf.mapInfo(got).id()).isEqualTo(Bpf.mapInfo(map).id());
            }
            assertThatThrownBy(() -> Bpf.objPin(map, pin.toString())).isInstanceOf(BpfSyscallException.class)
                    .hasMessageContaining("EEXIST").hasMessageContaining("a file already exists at that path");
        } finally {
            Files.deleteIfExists(pin);
        }
        assertThatThrownBy(() -> Bpf.objGet(pin.toString(), "gone")).isInstanceOf(BpfSyscallException.class)
                .hasMessage("BPF_OBJ_GET '" + pin + "': ENOENT (No such file or directory): nothing is pinned at "
                        + "that path");
    }

    @Test
    void rawTracepointAttachAndDetach() {
        try (Fd prog = Bpf.progLoad(new ProgLoadAttr().progType(BpfConstants.BPF_PROG_TYPE_RAW_TRACEPOINT)
                .instructions(returns(0)).license("GPL").progName("sys_rawtp"))) {
            Fd link = Bpf.rawTracepointOpen("sys_enter", prog);
            assertThat(link.description()).isEqualTo("raw tracepoint 'sys_enter' of program 'sys_rawtp'");
            link.close();
            assertThatThrownBy(() -> Bpf.rawTracepointOpen("no_such_tracepoint_xyz", prog))
                    .isInstanceOf(BpfSyscallException.class)
                    .hasMessageStartingWith("BPF_RAW_TRACEPOINT_OPEN program 'sys_rawtp' (fd " + prog.raw()
                            + ") raw tracepoint 'no_such_tracepoint_xyz': ENOENT");
        }
    }

    @Test
    void cgroupLinkOnAnEmptyCgroup() throws IOException {
        Path cgroup2 = Path.of("/sys/fs/cgroup/unified");
        if (!Files.exists(cgroup2.resolve("cgroup.procs"))) {
            cgroup2 = Path.of("/sys/fs/cgroup");
        }
        assumeTrue(Files.exists(cgroup2.resolve("cgroup.procs")), "needs a cgroup2 hierarchy");
        Path dir = Files.createDirectory(cgroup2.resolve("bpfunit-sys-test-" + ProcessHandle.current().pid()));
        try (Fd cg = Fd.adopt(Libc.open(dir.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC), "cgroup " + dir);
                Fd prog = Bpf.progLoad(new ProgLoadAttr().progType(BpfConstants.BPF_PROG_TYPE_CGROUP_SKB)
                        .expectedAttachType(BPF_CGROUP_INET_INGRESS).instructions(returns(1)).license("GPL")
                        .progName("sys_cgskb"))) {
            try (Fd link = Bpf.linkCreate(new LinkCreateAttr().progFd(prog).targetFd(cg.raw())
                    .attachType(BPF_CGROUP_INET_INGRESS))) {
                assertThat(link.description()).isEqualTo("link of program 'sys_cgskb'");
                assertThat(link.raw()).isPositive();
            }
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void linkToAMissingDeviceNamesTheProgramAndAttachType() {
        try (Fd prog = Bpf.progLoad(new ProgLoadAttr().progType(BpfConstants.BPF_PROG_TYPE_XDP)
                .expectedAttachType(BPF_XDP).instructions(returns(XDP_PASS)).license("GPL").progName("sys_xdp_link"))) {
            assertThatThrownBy(() -> Bpf.linkCreate(new LinkCreateAttr().progFd(prog).targetIfindex(0x7ffffff0)
                    .attachType(BPF_XDP))).isInstanceOf(BpfSyscallException.class)
                    .hasMessageStartingWith("BPF_LINK_CREATE program 'sys_xdp_link' (fd " + prog.raw()
                            + ") (attach type 37): EINVAL (Invalid argument): the target does not exist (XDP reports a missing "
                            + "ifindex as EINVAL), or the program or attach type does not fit it");
        }
    }
}
