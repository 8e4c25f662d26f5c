package dev.bpfunit.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InstructionTest {

    @Test
    void decodesLittleEndianFields() {
        // r3 = *(u32 *)(r10 -4) as LLVM encodes it, then if r1 s< -32 goto pc+2.
        byte[] insns = {0x61, (byte) 0xa3, (byte) 0xfc, (byte) 0xff, 0, 0, 0, 0,
            (byte) 0xc5, 0x01, 0x02, 0x00, (byte) 0xe0, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThat(Instruction.decode(insns, 0)).isEqualTo(new Instruction(0x61, 3, 10, -4, 0));
        assertThat(Instruction.decode(insns, 1)).isEqualTo(new Instruction(0xc5, 1, 0, 2, -32));
    }

    @Test
    void encodeIsTheInverseOfDecode() {
        Instruction insn = new Instruction(0x18, 15, 6, Short.MIN_VALUE, Integer.MIN_VALUE);
        byte[] insns = new byte[24];
        insn.encodeInto(insns, 2);
        assertThat(Instruction.decode(insns, 2)).isEqualTo(insn);
        assertThat(insn.encode()).containsExactly(0x18, 0x6f, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80);
        assertThat(insns).startsWith(new byte[16]);
    }

    @Test
    void slotsAreChecked() {
        byte[] insns = new byte[16];
        assertThatThrownBy(() -> Instruction.decode(insns, 2)).isInstanceOf(InvalidInstructionException.class)
                .hasMessage("instruction slot 2 is out of range: the program has 2 slots (16 bytes)");
        assertThatThrownBy(() -> Instruction.decode(insns, -1)).isInstanceOf(InvalidInstructionException.class);
        assertThatThrownBy(() -> Instruction.decode(new byte[7], 0)).isInstanceOf(InvalidInstructionException.class);
        assertThatThrownBy(() -> Instruction.decode(null, 0)).isInstanceOf(InvalidInstructionException.class);
        assertThatThrownBy(() -> new Instruction(0xb7, 0, 0, 0, 0).encodeInto(new byte[12], 1))
                .isInstanceOf(InvalidInstructionException.class);
    }

    @Test
    void fieldsAreRangeChecked() {
        assertThatThrownBy(() -> new Instruction(256, 0, 0, 0, 0)).isInstanceOf(InvalidInstructionException.class)
                .hasMessage("opcode 256 is out of range 0 to 255");
        assertThatThrownBy(() -> new Instruction(0, 16, 0, 0, 0)).hasMessageContaining("dst register 16");
        assertThatThrownBy(() -> new Instruction(0, 0, -1, 0, 0)).hasMessageContaining("src register -1");
        assertThatThrownBy(() -> new Instruction(0, 0, 0, 40000, 0)).hasMessageContaining("offset 40000");
        Instruction mov = new Instruction(0xb7, 0, 0, 0, 1);
        assertThatThrownBy(() -> mov.withOffset(-32769)).isInstanceOf(InvalidInstructionException.class);
    }

    @Test
    void classifiesInstructions() {
        Instruction helper = new Instruction(Opcodes.CALL, 0, 0, 0, 1);
        Instruction local = helper.withSrc(Opcodes.BPF_PSEUDO_CALL).withImm(4);
        Instruction kfunc = helper.withSrc(Opcodes.BPF_PSEUDO_KFUNC_CALL);
        assertThat(helper.isCall()).isTrue();
        assertThat(helper.isHelperCall()).isTrue();
        assertThat(helper.isPseudoCall()).isFalse();
        assertThat(local.isPseudoCall()).isTrue();
        assertThat(local.imm()).isEqualTo(4);
        assertThat(kfunc.isKfuncCall()).isTrue();
        assertThat(kfunc.isHelperCall()).isFalse();
        assertThat(helper.isJump()).isFalse();

        Instruction exit = new Instruction(Opcodes.EXIT, 0, 0, 0, 0);
        assertThat(exit.isExit()).isTrue();
        assertThat(exit.isJump()).isFalse();
        assertThat(exit.bpfClass()).isEqualTo(Opcodes.BPF_JMP);

        assertThat(new Instruction(0x05, 0, 0, 3, 0).isJump()).isTrue();
        assertThat(new Instruction(0x16, 1, 0, 3, 7).isJump()).isTrue();
        assertThat(new Instruction(0x16, 1, 0, 3, 7).bpfClass()).isEqualTo(Opcodes.BPF_JMP32);
        assertThat(new Instruction(0x07, 1, 0, 0, 7).isJump()).isFalse();

        Instruction ld = new Instruction(Opcodes.LD_IMM64, 1, 0, 0, 0);
        assertThat(ld.isLdImm64()).isTrue();
        assertThat(ld.isMapReference()).isFalse();
        assertThat(ld.withSrc(Opcodes.BPF_PSEUDO_MAP_VALUE).isMapReference()).isTrue();
        assertThat(ld.withDst(3).withOffset(2).withOpcode(0x61)).isEqualTo(new Instruction(0x61, 3, 0, 2, 0));
    }

    @Test
    void opcodeFieldsComeApart() {
        int opcode = Opcodes.BPF_STX | Opcodes.BPF_ATOMIC | Opcodes.BPF_DW;
        assertThat(opcode).isEqualTo(0xdb);
        assertThat(Opcodes.bpfClass(opcode)).isEqualTo(Opcodes.BPF_STX);
        assertThat(Opcodes.mode(opcode)).isEqualTo(Opcodes.BPF_ATOMIC);
        assertThat(Opcodes.size(opcode)).isEqualTo(Opcodes.BPF_DW);
        assertThat(Opcodes.sizeBytes(Opcodes.size(opcode))).isEqualTo(8);
        assertThat(Opcodes.sizeBytes(Opcodes.BPF_H)).isEqualTo(2);
        assertThat(Opcodes.op(0xcf)).isEqualTo(Opcodes.BPF_ARSH);
        assertThat(Opcodes.source(0xcf)).isEqualTo(Opcodes.BPF_X);
        assertThat(Opcodes.BPF_XCHG).isEqualTo(0xe1);
        assertThat(Opcodes.BPF_CMPXCHG).isEqualTo(0xf1);
    }
}
