package dev.bpfunit.asm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpcodesTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = ';', value = {
            "0x8d; BPF_JMP | BPF_CALL | BPF_X",      // callx: what clang -O0 emits for a helper call
            "0x85; BPF_JMP | BPF_CALL | BPF_K",      // call
            "0x95; BPF_JMP | BPF_EXIT | BPF_K",
            "0x06; BPF_JMP32 | BPF_JA | BPF_K",      // gotol (-mcpu=v4)
            "0x61; BPF_LDX | BPF_MEM | BPF_W",
            "0x91; BPF_LDX | BPF_MEMSX | BPF_B",     // -mcpu=v4 sign-extending load
            "0x18; BPF_LD | BPF_IMM | BPF_DW",       // ld_imm64
            "0xdb; BPF_STX | BPF_ATOMIC | BPF_DW",
            "0xd4; BPF_ALU | BPF_END | BPF_TO_LE",
            "0xdc; BPF_ALU | BPF_END | BPF_TO_BE",
            "0xd7; BPF_ALU64 | BPF_END | BPF_K",     // bswap (-mcpu=v4)
            "0xbf; BPF_ALU64 | BPF_MOV | BPF_X",
            "0xe7; BPF_ALU64 | 0xe0 | BPF_K",        // no such operation
            "0xf5; BPF_JMP | 0xf0 | BPF_K",
            "0xa1; BPF_LDX | 0xa0 | BPF_W"})
    void describesEachFieldOfTheOpcodeByName(String opcode, String expected) {
        assertThat(Opcodes.describe(Integer.decode(opcode))).isEqualTo(expected);
    }
}
