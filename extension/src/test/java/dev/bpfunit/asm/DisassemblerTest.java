package dev.bpfunit.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the text of every instruction family against the kernel's {@code disasm.c} syntax. */
class DisassemblerTest {
    /** ALU operation bits and the operator the kernel prints for them. */
    private static final Map<Integer, String> ALU = new LinkedHashMap<>();
    /** Conditional jump operation bits and the operator the kernel prints for them. */
    private static final Map<Integer, String> JMP = new LinkedHashMap<>();

    static {
        String[][] alu = {{"00", "+="}, {"10", "-="}, {"20", "*="}, {"30", "/="}, {"40", "|="}, {"50", "&="},
            {"60", "<<="}, {"70", ">>="}, {"90", "%="}, {"a0", "^="}, {"b0", "="}, {"c0", "s>>="}};
        for (String[] a : alu) {
            ALU.put(Integer.parseInt(a[0], 16), a[1]);
        }
        String[][] jmp = {{"10", "=="}, {"20", ">"}, {"30", ">="}, {"40", "&"}, {"50", "!="}, {"60", "s>"},
            {"70", "s>="}, {"a0", "<"}, {"b0", "<="}, {"c0", "s<"}, {"d0", "s<="}};
        for (String[] j : jmp) {
            JMP.put(Integer.parseInt(j[0], 16), j[1]);
        }
    }

    static Stream<Arguments> aluOps() {
        List<Arguments> cases = new ArrayList<>();
        ALU.forEach((op, text) -> {
            cases.add(Arguments.of(new Instruction(0x07 | op, 1, 0, 0, -5), "r1 " + text + " -5"));
            cases.add(Arguments.of(new Instruction(0x0f | op, 1, 2, 0, 0), "r1 " + text + " r2"));
            cases.add(Arguments.of(new Instruction(0x04 | op, 3, 0, 0, 7), "w3 " + text + " 7"));
            cases.add(Arguments.of(new Instruction(0x0c | op, 3, 4, 0, 0), "w3 " + text + " w4"));
        });
        return cases.stream();
    }

    static Stream<Arguments> jumpOps() {
        List<Arguments> cases = new ArrayList<>();
        JMP.forEach((op, text) -> {
            cases.add(Arguments.of(new Instruction(0x05 | op, 1, 0, 2, 5), "if r1 " + text + " 0x5 goto pc+2"));
            cases.add(Arguments.of(new Instruction(0x0d | op, 1, 2, -3, 0), "if r1 " + text + " r2 goto pc-3"));
            cases.add(Arguments.of(new Instruction(0x06 | op, 4, 0, 0, -32), "if w4 " + text
                    + " 0xffffffe0 goto pc+0"));
            cases.add(Arguments.of(new Instruction(0x0e | op, 4, 9, 7, 0), "if w4 " + text + " w9 goto pc+7"));
        });
        return cases.stream();
    }

    static Stream<Arguments> singleSlot() {
        return Stream.of(
                // Negation, byte order and byte swaps.
                Arguments.of(new Instruction(0x87, 1, 0, 0, 0), "r1 = -r1"),
                Arguments.of(new Instruction(0x84, 1, 0, 0, 0), "w1 = -w1"),
                Arguments.of(new Instruction(0xd4, 2, 0, 0, 16), "r2 = le16 r2"),
                Arguments.of(new Instruction(0xdc, 2, 0, 0, 32), "r2 = be32 r2"),
                Arguments.of(new Instruction(0xdc, 2, 0, 0, 64), "r2 = be64 r2"),
                Arguments.of(new Instruction(0xd7, 2, 0, 0, 16), "r2 = bswap16 r2"),
                Arguments.of(new Instruction(0xd7, 2, 0, 0, 64), "r2 = bswap64 r2"),
                // cpu v4: signed division and modulo, sign-extending moves.
                Arguments.of(new Instruction(0x3f, 1, 2, 1, 0), "r1 s/= r2"),
                Arguments.of(new Instruction(0x37, 1, 0, 1, -3), "r1 s/= -3"),
                Arguments.of(new Instruction(0x9c, 1, 2, 1, 0), "w1 s%= w2"),
                Arguments.of(new Instruction(0x94, 1, 0, 1, 7), "w1 s%= 7"),
                Arguments.of(new Instruction(0xbf, 1, 2, 8, 0), "r1 = (s8)r2"),
                Arguments.of(new Instruction(0xbf, 1, 2, 16, 0), "r1 = (s16)r2"),
                Arguments.of(new Instruction(0xbf, 1, 2, 32, 0), "r1 = (s32)r2"),
                Arguments.of(new Instruction(0xbc, 1, 2, 8, 0), "w1 = (s8)w2"),
                Arguments.of(new Instruction(0xbc, 1, 2, 16, 0), "w1 = (s16)w2"),
                // Arena and per-CPU pointer moves.
                Arguments.of(new Instruction(0xbf, 1, 2, 1, 1 << 16), "r1 = addr_space_cast(r2, 1, 0)"),
                Arguments.of(new Instruction(0xbf, 1, 2, -1, 0), "r1 = &(void __percpu *)(r2)"),
                // Loads of every size, plain and sign-extending (cpu v4).
                Arguments.of(new Instruction(0x61, 1, 2, 4, 0), "r1 = *(u32 *)(r2 +4)"),
                Arguments.of(new Instruction(0x69, 1, 2, 0, 0), "r1 = *(u16 *)(r2 +0)"),
                Arguments.of(new Instruction(0x71, 1, 2, 13, 0), "r1 = *(u8 *)(r2 +13)"),
                Arguments.of(new Instruction(0x79, 1, 10, -8, 0), "r1 = *(u64 *)(r10 -8)"),
                Arguments.of(new Instruction(0x81, 1, 2, 4, 0), "r1 = *(s32 *)(r2 +4)"),
                Arguments.of(new Instruction(0x89, 1, 2, 4, 0), "r1 = *(s16 *)(r2 +4)"),
                Arguments.of(new Instruction(0x91, 1, 2, 4, 0), "r1 = *(s8 *)(r2 +4)"),
                // Stores of every size, immediate and register.
                Arguments.of(new Instruction(0x62, 10, 0, -4, 7), "*(u32 *)(r10 -4) = 7"),
                Arguments.of(new Instruction(0x6a, 10, 0, -2, 7), "*(u16 *)(r10 -2) = 7"),
                Arguments.of(new Instruction(0x72, 10, 0, -1, 7), "*(u8 *)(r10 -1) = 7"),
                Arguments.of(new Instruction(0x7a, 10, 0, -8, -1), "*(u64 *)(r10 -8) = -1"),
                Arguments.of(new Instruction(0x63, 1, 2, 0, 0), "*(u32 *)(r1 +0) = r2"),
                Arguments.of(new Instruction(0x6b, 1, 2, 2, 0), "*(u16 *)(r1 +2) = r2"),
                Arguments.of(new Instruction(0x73, 1, 2, 3, 0), "*(u8 *)(r1 +3) = r2"),
                Arguments.of(new Instruction(0x7b, 1, 2, 8, 0), "*(u64 *)(r1 +8) = r2"),
                // Atomics.
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0x00), "lock *(u64 *)(r1 +8) += r2"),
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0x40), "lock *(u64 *)(r1 +8) |= r2"),
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0x50), "lock *(u64 *)(r1 +8) &= r2"),
                Arguments.of(new Instruction(0xc3, 1, 2, 8, 0xa0), "lock *(u32 *)(r1 +8) ^= r2"),
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0x01), "r2 = atomic64_fetch_add((u64 *)(r1 +8), r2)"),
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0x41), "r2 = atomic64_fetch_or((u64 *)(r1 +8), r2)"),
                Arguments.of(new Instruction(0xc3, 1, 2, 8, 0x51), "r2 = atomic_fetch_and((u32 *)(r1 +8), r2)"),
                Arguments.of(new Instruction(0xc3, 1, 2, -8, 0xa1), "r2 = atomic_fetch_xor((u32 *)(r1 -8), r2)"),
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0xe1), "r2 = atomic64_xchg((u64 *)(r1 +8), r2)"),
                Arguments.of(new Instruction(0xc3, 1, 2, 8, 0xe1), "r2 = atomic_xchg((u32 *)(r1 +8), r2)"),
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0xf1), "r0 = atomic64_cmpxchg((u64 *)(r1 +8), r0, r2)"),
                Arguments.of(new Instruction(0xc3, 1, 2, 8, 0xf1), "r0 = atomic_cmpxchg((u32 *)(r1 +8), r0, r2)"),
                Arguments.of(new Instruction(0xd3, 2, 1, 8, 0x100), "r2 = load_acquire((u8 *)(r1 +8))"),
                Arguments.of(new Instruction(0xcb, 1, 2, 8, 0x110), "store_release((u16 *)(r1 +8), r2)"),
                Arguments.of(new Instruction(0xdb, 1, 2, 8, 0x10), "invalid atomic operation 0x10 on u64"),
                Arguments.of(new Instruction(0xd3, 1, 2, 8, 0x00), "invalid atomic operation 0x0 on u8"),
                // Legacy packet loads.
                Arguments.of(new Instruction(0x20, 0, 0, 0, 12), "r0 = *(u32 *)skb[12]"),
                Arguments.of(new Instruction(0x28, 0, 0, 0, 12), "r0 = *(u16 *)skb[12]"),
                Arguments.of(new Instruction(0x30, 0, 0, 0, 23), "r0 = *(u8 *)skb[23]"),
                Arguments.of(new Instruction(0x40, 0, 3, 0, 4), "r0 = *(u32 *)skb[r3 + 4]"),
                // Calls and exit.
                Arguments.of(new Instruction(0x85, 0, 0, 0, 1), "call bpf_map_lookup_elem#1"),
                Arguments.of(new Instruction(0x85, 0, 0, 0, 12), "call bpf_tail_call#12"),
                Arguments.of(new Instruction(0x85, 0, 0, 0, 211), "call bpf_cgrp_storage_delete#211"),
                Arguments.of(new Instruction(0x85, 0, 0, 0, 212), "call unknown#212"),
                Arguments.of(new Instruction(0x85, 0, 0, 0, -1), "call unknown#-1"),
                Arguments.of(new Instruction(0x85, 0, 1, 0, 3), "call pc+3"),
                Arguments.of(new Instruction(0x85, 0, 1, 0, -5), "call pc-5"),
                Arguments.of(new Instruction(0x85, 0, 2, 0, 1234), "call kernel-function#1234"),
                Arguments.of(new Instruction(0x85, 0, 5, 0, 9), "call unknown#9"),
                Arguments.of(new Instruction(0x95, 0, 0, 0, 0), "exit"),
                // Unconditional jumps.
                Arguments.of(new Instruction(0x05, 0, 0, 5, 0), "goto pc+5"),
                Arguments.of(new Instruction(0x05, 0, 0, -3, 0), "goto pc-3"),
                Arguments.of(new Instruction(0x06, 0, 0, 0, 100000), "gotol pc+100000"),
                Arguments.of(new Instruction(0x0d, 3, 0, 0, 0), "gotox r3"),
                Arguments.of(new Instruction(0xe5, 0, 0, 4, 0), "may_goto pc+4"),
                Arguments.of(new Instruction(0xc2, 0, 0, 0, 0), "nospec"),
                // Opcodes the kernel does not define.
                Arguments.of(new Instruction(0xff, 0, 0, 0, 0), "invalid opcode 0xff"),
                Arguments.of(new Instruction(0x00, 0, 0, 0, 0), "invalid opcode 0x00"),
                Arguments.of(new Instruction(0x8c, 1, 2, 0, 0), "invalid opcode 0x8c"),
                Arguments.of(new Instruction(0xdf, 1, 0, 0, 16), "invalid opcode 0xdf"),
                Arguments.of(new Instruction(0xe4, 1, 0, 0, 1), "invalid opcode 0xe4"),
                Arguments.of(new Instruction(0x99, 1, 2, 0, 0), "invalid opcode 0x99"),
                Arguments.of(new Instruction(0x38, 0, 0, 0, 0), "invalid opcode 0x38"),
                Arguments.of(new Instruction(0xf6, 0, 0, 0, 0), "invalid opcode 0xf6"),
                Arguments.of(new Instruction(0x86, 0, 0, 0, 1), "invalid opcode 0x86"),
                Arguments.of(new Instruction(0x8d, 0, 0, 0, 1), "invalid opcode 0x8d"),
                Arguments.of(new Instruction(0x96, 0, 0, 0, 0), "invalid opcode 0x96"),
                Arguments.of(new Instruction(0x0e, 0, 0, 0, 0), "invalid opcode 0x0e"),
                Arguments.of(new Instruction(0xe5, 0, 1, 4, 0), "invalid opcode 0xe5"),
                Arguments.of(new Instruction(0xf5, 0, 0, 0, 0), "invalid opcode 0xf5"),
                Arguments.of(new Instruction(0xa3, 1, 2, 0, 0), "invalid opcode 0xa3"),
                Arguments.of(new Instruction(0xe1, 1, 2, 0, 0), "invalid opcode 0xe1"));
    }

    @ParameterizedTest
    @MethodSource({"aluOps", "jumpOps", "singleSlot"})
    void formatsLikeTheKernel(Instruction insn, String expected) {
        assertThat(Disassembler.format(insn.encode(), 0)).isEqualTo(expected);
    }

    static Stream<Arguments> ldImm64() {
        return Stream.of(
                Arguments.of(0, 0x1234, 0, "r1 = 0x1234 ll"),
                Arguments.of(0, -1, 1, "r1 = 0x1ffffffff ll"),
                Arguments.of(0, 0, 0x80000000, "r1 = 0x8000000000000000 ll"),
                Arguments.of(Opcodes.BPF_PSEUDO_MAP_FD, 5, 0, "r1 = map[fd:5]"),
                Arguments.of(Opcodes.BPF_PSEUDO_MAP_VALUE, 5, 8, "r1 = map[fd:5][0]+8"),
                Arguments.of(Opcodes.BPF_PSEUDO_BTF_ID, 77, 0, "r1 = ksym[btf_id:77]"),
                Arguments.of(Opcodes.BPF_PSEUDO_FUNC, 3, 0, "r1 = subprog[+3]"),
                Arguments.of(Opcodes.BPF_PSEUDO_MAP_IDX, 2, 0, "r1 = map[idx:2]"),
                Arguments.of(Opcodes.BPF_PSEUDO_MAP_IDX_VALUE, 2, 16, "r1 = map[idx:2][0]+16"),
                Arguments.of(7, 0, 0, "r1 = 0x0 ll (invalid pseudo source 7)"));
    }

    @ParameterizedTest
    @MethodSource("ldImm64")
    void formatsEach64BitLoad(int src, int low, int high, String expected) {
        byte[] insns = new byte[16];
        new Instruction(Opcodes.LD_IMM64, 1, src, 0, low).encodeInto(insns, 0);
        new Instruction(0, 0, 0, 0, high).encodeInto(insns, 1);
        assertThat(Disassembler.format(insns, 0)).isEqualTo(expected);
    }

    @Test
    void disassemblesAProgramWithVerifierLineNumbers() {
        byte[] insns = new byte[5 * 8];
        new Instruction(0xb7, 0, 0, 0, 2).encodeInto(insns, 0);
        new Instruction(Opcodes.LD_IMM64, 1, Opcodes.BPF_PSEUDO_MAP_FD, 0, 4).encodeInto(insns, 1);
        new Instruction(0xff, 0, 0, 0, 0).encodeInto(insns, 3);
        new Instruction(0x95, 0, 0, 0, 0).encodeInto(insns, 4);
        assertThat(Disassembler.disassemble(insns)).containsExactly(
                "0: (b7) r0 = 2", "1: (18) r1 = map[fd:4]", "3: (ff) invalid opcode 0xff", "4: (95) exit");
        assertThat(Disassembler.disassemble(new byte[0])).isEmpty();
    }

    @Test
    void aTruncated64BitLoadIsAClearError() {
        byte[] insns = new byte[16];
        new Instruction(0xb7, 0, 0, 0, 2).encodeInto(insns, 0);
        new Instruction(Opcodes.LD_IMM64, 1, 0, 0, 4).encodeInto(insns, 1);
        String message = "64-bit immediate load (ld_imm64) at slot 1 needs two slots, but the program ends there "
                + "(2 slots): the instructions are truncated";
        assertThatThrownBy(() -> Disassembler.disassemble(insns)).isInstanceOf(InvalidInstructionException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> Disassembler.format(insns, 1)).isInstanceOf(InvalidInstructionException.class)
                .hasMessage(message);
        assertThat(Disassembler.format(insns, 0)).isEqualTo("r0 = 2");
    }

    @Test
    void bytesThatAreNotWholeSlotsAreRejected() {
        assertThatThrownBy(() -> Disassembler.disassemble(new byte[12])).isInstanceOf(
                InvalidInstructionException.class).hasMessage("instructions are 12 bytes, not a multiple of 8: the "
                        + "program is truncated or not BPF code");
        assertThatThrownBy(() -> Disassembler.disassemble(null)).isInstanceOf(InvalidInstructionException.class);
        assertThatThrownBy(() -> Disassembler.format(new byte[8], 1)).isInstanceOf(InvalidInstructionException.class);
    }

    @Test
    void everyOpcodeFormatsWithoutThrowing() {
        for (int opcode = 0; opcode < 256; opcode++) {
            for (int src : new int[] {0, 1, 2, 7, 15}) {
                for (int imm : new int[] {0, 1, 0x51, 0xf1, 0x100, 0x110, 64, -1, Integer.MIN_VALUE}) {
                    byte[] insns = new byte[16];
                    new Instruction(opcode, 10, src, -1, imm).encodeInto(insns, 0);
                    assertThat(Disassembler.format(insns, 0)).isNotBlank();
                }
            }
        }
    }

    @Test
    void helperNames() {
        assertThat(Disassembler.helperName(0)).isEqualTo("bpf_unspec");
        assertThat(Disassembler.helperName(1)).isEqualTo("bpf_map_lookup_elem");
        assertThat(Disassembler.helperName(6)).isEqualTo("bpf_trace_printk");
        assertThat(Disassembler.helperName(130)).isEqualTo("bpf_ringbuf_output");
        assertThat(Disassembler.helperName(209)).isEqualTo("bpf_user_ringbuf_drain");
        assertThat(Disassembler.helperName(211)).isEqualTo("bpf_cgrp_storage_delete");
        assertThat(Disassembler.helperName(212)).isEqualTo("unknown#212");
        assertThat(Disassembler.helperName(-3)).isEqualTo("unknown#-3");
        assertThat(Disassembler.maxHelperId()).isEqualTo(211);
    }

    /** Where the build machine has the UAPI header, its helper list must agree with ours, in order. */
    @Test
    void helperNamesMatchTheInstalledUapiHeader() throws IOException {
        Path header = Path.of("/usr/include/linux/bpf.h");
        Assumptions.assumeTrue(Files.isReadable(header), "no " + header + " on this machine");
        String text = Files.readString(header);
        int start = text.indexOf("FN(unspec");
        int end = text.indexOf("/* */", start);
        Assumptions.assumeTrue(start >= 0 && end > start, "helper list not found in " + header);
        Matcher m = Pattern.compile("FN\\((\\w+)").matcher(text.substring(start, end));
        int id = 0;
        while (m.find()) {
            assertThat(Disassembler.helperName(id)).as("helper %d", id).isEqualTo("bpf_" + m.group(1));
            id++;
        }
        assertThat(id).isGreaterThan(200);
    }
}
