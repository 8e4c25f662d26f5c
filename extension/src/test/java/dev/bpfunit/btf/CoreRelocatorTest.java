package dev.bpfunit.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CO-RE relocation against small hand-built BTF: a local {@code struct sample} as the program was compiled
 * against it, and a target where fields moved, grew, vanished or became ambiguous.
 */
class CoreRelocatorTest {
    private static final int LDX_W = 0x61;
    private static final int LDX_DW = 0x79;
    private static final int LDX_B = 0x71;
    private static final int MOV64_K = 0xb7;
    private static final int LD_IMM64 = 0x18;
    private static final int CALL = 0x85;

    /** BTF with only void: types added to it get ids from 1. */
    static Btf empty() {
        ByteBuffer b = ByteBuffer.allocate(24 + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) Btf.MAGIC).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(0).putInt(0).putInt(1);
        return Btf.parse(b.array());
    }

    // Local types, ids from 1.
    static final int L_INT = 1;
    static final int L_UINT = 2;
    static final int L_INNER = 3;
    static final int L_SAMPLE = 4;
    static final int L_ARR = 5;
    static final int L_ANON = 6;
    static final int L_COLOR = 7;
    static final int L_OLD = 8;
    static final int L_PTR = 9;
    static final int L_MISSING = 10;
    static final int L_TYPEDEF = 11;

    static final Btf LOCAL = empty().addTypes(List.of(
            new Int("int", 4, Int.SIGNED, 0, 32),
            new Int("unsigned int", 4, 0, 0, 32),
            new Struct("inner", 8, List.of(new Member("a", L_INT, 0), new Member("b", L_UINT, 32))),
            // struct sample { int x; unsigned f1:3, f2:5; struct inner in; struct inner arr[2];
            //                 union { unsigned u; }; unsigned gone; unsigned grow; int sgrow; }
            new Struct("sample", 48, List.of(new Member("x", L_INT, 0), new Member("f1", L_UINT, 32, 3),
                    new Member("f2", L_UINT, 35, 5), new Member("in", L_INNER, 64), new Member("arr", L_ARR, 128),
                    new Member("", L_ANON, 256), new Member("gone", L_UINT, 288), new Member("grow", L_UINT, 320),
                    new Member("sgrow", L_INT, 352))),
            new Array(L_INNER, L_INT, 2),
            new Union("", 4, List.of(new Member("u", L_UINT, 0))),
            new Enum("color", 4, false, List.of(new EnumValue("RED", 0), new EnumValue("GREEN", 1),
                    new EnumValue("BLUE", 2))),
            new Struct("sample___old", 4, List.of(new Member("x", L_INT, 0))),
            new Ptr(L_SAMPLE),
            new Struct("missing", 4, List.of(new Member("m", L_INT, 0))),
            new Typedef("sample_t", L_SAMPLE)));

    // Target types.
    static final int T_INT = 1;
    static final int T_UINT = 2;
    static final int T_INNER = 3;
    static final int T_SAMPLE = 4;
    static final int T_ARR = 5;
    static final int T_ANON = 6;
    static final int T_COLOR = 7;
    static final int T_ULONG = 8;
    static final int T_LONG = 9;

    /** The same struct on "another kernel": x moved behind a new field, bitfields shifted, u inside a struct. */
    static final Btf TARGET = empty().addTypes(List.of(
            new Int("int", 4, Int.SIGNED, 0, 32),
            new Int("unsigned int", 4, 0, 0, 32),
            new Struct("inner", 12, List.of(new Member("pad", T_INT, 0), new Member("a", T_INT, 32),
                    new Member("b", T_UINT, 64))),
            // struct sample { long newfield; int x; unsigned pad:28, f2:7, f1:3; struct { union { unsigned u; }; };
            //                 struct inner in; struct inner arr[3]; unsigned long grow; long sgrow; }
            new Struct("sample", 96, List.of(new Member("newfield", T_LONG, 0), new Member("x", T_INT, 64),
                    new Member("pad", T_UINT, 128, 28), new Member("f2", T_UINT, 156, 7),
                    new Member("f1", T_UINT, 163, 3), new Member("", 10, 192), new Member("in", T_INNER, 224),
                    new Member("arr", T_ARR, 320), new Member("grow", T_ULONG, 640),
                    new Member("sgrow", T_LONG, 704))),
            new Array(T_INNER, T_INT, 3),
            new Union("", 4, List.of(new Member("u", T_UINT, 0))),
            new Enum("color", 4, false, List.of(new EnumValue("BLUE", 7), new EnumValue("RED", 9))),
            new Int("unsigned long", 8, 0, 0, 64),
            new Int("long", 8, Int.SIGNED, 0, 64),
            new Struct("", 4, List.of(new Member("", T_ANON, 0))),
            // a bitfield that straddles bit 128 cannot be loaded with one aligned u64
            new Struct("straddle", 24, List.of(new Member("pad", T_ULONG, 0), new Member("s", T_UINT, 124, 8))),
            new Typedef("sample_t", T_SAMPLE)));

    private final CoreRelocator relocator = new CoreRelocator(LOCAL, TARGET, List.of(), "the 6.1 kernel");

    private static byte[] insn(int opcode, int dst, int src, int off, int imm) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        b.put((byte) opcode).put((byte) (src << 4 | dst)).putShort((short) off).putInt(imm);
        return b.array();
    }

    private static byte[] program(byte[]... insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.length * 8);
        for (byte[] i : insns) {
            b.put(i);
        }
        return b.array();
    }

    private static ByteBuffer buf(byte[] insns) {
        return ByteBuffer.wrap(insns).order(ByteOrder.nativeOrder());
    }

    private static CoreRelo relo(int slot, int type, String access, CoreReloKind kind) {
        return new CoreRelo(slot, type, access, kind);
    }

    private long value(int type, String access, CoreReloKind kind) {
        CoreFixup f = relocator.fixup(relo(0, type, access, kind));
        assertThat(f.poisoned()).as(f.describe()).isFalse();
        return f.targetValue();
    }

    @Test
    void fieldOffsetOfAMovedFieldPatchesTheLoadOffset() {
        byte[] prog = program(insn(LDX_W, 1, 2, 0, 0), insn(0x95, 0, 0, 0, 0));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)));
        assertThat(buf(r.instructions()).getShort(2)).isEqualTo((short) 8);
        assertThat(r.fixups()).singleElement().satisfies(f -> {
            assertThat(f.access()).isEqualTo("sample.x");
            assertThat(f.localValue()).isZero();
            assertThat(f.targetValue()).isEqualTo(8);
            assertThat(f.describe()).isEqualTo("CO-RE FIELD_BYTE_OFFSET sample.x: 0 -> 8");
        });
        assertThat(r.poisoned()).isEmpty();
    }

    @Test
    void nestedStructArrayOfStructsAndAnonymousMembers() {
        assertThat(value(L_SAMPLE, "0:3:1", CoreReloKind.FIELD_BYTE_OFFSET)).as("in.b").isEqualTo(28 + 8);
        assertThat(value(L_SAMPLE, "0:4:1:0", CoreReloKind.FIELD_BYTE_OFFSET)).as("arr[1].a").isEqualTo(40 + 12 + 4);
        assertThat(value(L_SAMPLE, "0:4:1", CoreReloKind.FIELD_BYTE_OFFSET)).as("arr[1]").isEqualTo(40 + 12);
        assertThat(value(L_SAMPLE, "0:4:1", CoreReloKind.FIELD_BYTE_SIZE)).as("sizeof arr[1]").isEqualTo(12);
        assertThat(value(L_SAMPLE, "0:5:0", CoreReloKind.FIELD_BYTE_OFFSET)).as("u through two anonymous levels")
                .isEqualTo(24);
        assertThat(relocator.fixup(relo(0, L_SAMPLE, "0:4:1:0", CoreReloKind.FIELD_BYTE_OFFSET)).access())
                .isEqualTo("sample.arr[1].a");
        // an index into the root pointer: p[1].x
        assertThat(value(L_SAMPLE, "1:0", CoreReloKind.FIELD_BYTE_OFFSET)).isEqualTo(96 + 8);
        // a typedef as the root: candidates are typedefs of that name
        assertThat(value(L_TYPEDEF, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)).isEqualTo(8);
    }

    @Test
    void arrayIndexPastTheTargetsEndIsPoisoned() {
        Btf shorter = TARGET.replaceTypes(java.util.Map.of(T_ARR, new Array(T_INNER, T_INT, 1)));
        CoreFixup f = new CoreRelocator(LOCAL, shorter).fixup(relo(0, L_SAMPLE, "0:4:1:0",
                CoreReloKind.FIELD_BYTE_OFFSET));
        assertThat(f.poisoned()).isTrue();
        assertThat(f.reason()).isEqualTo("index 1 is past the end of the target BTF's sample.arr (1 elements)");
    }

    @Test
    void sizeExistenceAndSignedness() {
        assertThat(value(L_SAMPLE, "0:0", CoreReloKind.FIELD_BYTE_SIZE)).isEqualTo(4);
        assertThat(value(L_SAMPLE, "0:7", CoreReloKind.FIELD_BYTE_SIZE)).isEqualTo(8);
        assertThat(value(L_SAMPLE, "0:0", CoreReloKind.FIELD_EXISTS)).isEqualTo(1);
        assertThat(value(L_SAMPLE, "0:6", CoreReloKind.FIELD_EXISTS)).isZero();
        assertThat(value(L_SAMPLE, "0:0", CoreReloKind.FIELD_SIGNED)).isEqualTo(1);
        assertThat(value(L_SAMPLE, "0:7", CoreReloKind.FIELD_SIGNED)).isZero();
    }

    @Test
    void bitfieldsGetTheirLoadOffsetSizeAndShifts() {
        // local f2: 5 bits at bit 35 of a 4-byte unsigned: loaded as the u32 at byte 4
        CoreFixup off = relocator.fixup(relo(0, L_SAMPLE, "0:2", CoreReloKind.FIELD_BYTE_OFFSET));
        assertThat(off.localValue()).isEqualTo(4);
        // target f2: 7 bits at bit 156 cross the u32 boundary at bit 160, so it is read as the u64 at byte 16
        assertThat(off.targetValue()).isEqualTo(16);
        assertThat(value(L_SAMPLE, "0:2", CoreReloKind.FIELD_BYTE_SIZE)).isEqualTo(8);
        assertThat(value(L_SAMPLE, "0:2", CoreReloKind.FIELD_LSHIFT_U64)).isEqualTo(64 - (156 + 7 - 128));
        assertThat(value(L_SAMPLE, "0:2", CoreReloKind.FIELD_RSHIFT_U64)).isEqualTo(64 - 7);
        CoreFixup lshift = relocator.fixup(relo(0, L_SAMPLE, "0:2", CoreReloKind.FIELD_LSHIFT_U64));
        assertThat(lshift.localValue()).isEqualTo(64 - (35 + 5 - 32));
        // f1: 3 bits at 163 -> the u32 at byte 20
        assertThat(value(L_SAMPLE, "0:1", CoreReloKind.FIELD_BYTE_OFFSET)).isEqualTo(20);
        assertThat(value(L_SAMPLE, "0:1", CoreReloKind.FIELD_LSHIFT_U64)).isEqualTo(64 - (163 + 3 - 160));
    }

    @Test
    void aBitfieldNoLoadCanReachIsAnError() {
        Btf local = LOCAL.addTypes(List.of(new Struct("straddle", 8, List.of(new Member("s", L_UINT, 0, 8)))));
        int id = local.typeCount() - 1;
        assertThatThrownBy(() -> new CoreRelocator(local, TARGET).fixup(relo(0, id, "0:0",
                CoreReloKind.FIELD_LSHIFT_U64)))
                .hasMessageContaining("bitfield 's' (8 bits at bit 124 on the target BTF) cannot be read with one 64-bit load");
    }

    @Test
    void bitfieldRelocationsDoNotCheckTheCompilersValue() {
        // clang may have loaded the bitfield's word at another size; libbpf does not validate these
        byte[] prog = program(insn(MOV64_K, 1, 0, 0, 12345));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0:2", CoreReloKind.FIELD_LSHIFT_U64)));
        assertThat(buf(r.instructions()).getInt(4)).isEqualTo(64 - (156 + 7 - 128));
    }

    @Test
    void aMissingFieldPoisonsTheInstructionAndSaysWhy() {
        byte[] prog = program(insn(LDX_W, 1, 2, 36, 0), insn(0x95, 0, 0, 0, 0));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0:6", CoreReloKind.FIELD_BYTE_OFFSET)));
        ByteBuffer b = buf(r.instructions());
        assertThat(b.get(0) & 0xff).isEqualTo(CALL);
        assertThat(b.getInt(4)).isEqualTo(CoreRelocator.POISON_HELPER).isEqualTo(195896080);
        assertThat(b.get(8) & 0xff).as("the next instruction is untouched").isEqualTo(0x95);
        CoreFixup f = r.poisonedAt(0).orElseThrow();
        assertThat(f.describe()).isEqualTo("CO-RE relocation for sample.gone: no field 'gone' on the 6.1 kernel's sample");
        assertThat(r.poisonedAt(1)).isEmpty();
    }

    @Test
    void aMissingTypePoisonsFieldAccessesButExistenceIsZero() {
        CoreFixup f = relocator.fixup(relo(0, L_MISSING, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        assertThat(f.poisoned()).isTrue();
        assertThat(f.reason()).isEqualTo("no struct named 'missing' on the 6.1 kernel");
        assertThat(value(L_MISSING, "0:0", CoreReloKind.FIELD_EXISTS)).isZero();
        assertThat(value(L_MISSING, "0", CoreReloKind.TYPE_EXISTS)).isZero();
        assertThat(value(L_MISSING, "0", CoreReloKind.TYPE_SIZE)).isZero();
    }

    @Test
    void aPoisonedWideLoadPoisonsBothSlots() {
        byte[] prog = program(insn(LD_IMM64, 1, 0, 0, 1), insn(0, 0, 0, 0, 0));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_COLOR, "1", CoreReloKind.ENUMVAL_VALUE)));
        ByteBuffer b = buf(r.instructions());
        assertThat(b.get(0) & 0xff).isEqualTo(CALL);
        assertThat(b.get(8) & 0xff).isEqualTo(CALL);
        assertThat(b.getInt(12)).isEqualTo(CoreRelocator.POISON_HELPER);
        assertThat(r.poisonedAt(1)).isPresent();
        assertThat(r.poisonedAt(0).orElseThrow().reason()).isEqualTo("no enumerator 'GREEN' in the 6.1 kernel's enum color");
    }

    @Test
    void flavoredLocalTypesFindTheirBaseName() {
        assertThat(CoreRelocator.essentialName("sample___old")).isEqualTo("sample");
        assertThat(CoreRelocator.essentialName("a___b___c")).isEqualTo("a___b");
        assertThat(CoreRelocator.essentialName("__u32")).isEqualTo("__u32");
        assertThat(CoreRelocator.essentialName("x____y")).isEqualTo("x____y");
        assertThat(CoreRelocator.essentialName("x___")).isEqualTo("x___");
        assertThat(value(L_OLD, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)).isEqualTo(8);
    }

    @Test
    void typeRelocations() {
        CoreFixup local = relocator.fixup(relo(0, L_SAMPLE, "0", CoreReloKind.TYPE_ID_LOCAL));
        assertThat(local.targetValue()).isEqualTo(L_SAMPLE);
        assertThat(local.access()).isEqualTo("struct sample");
        assertThat(value(L_SAMPLE, "0", CoreReloKind.TYPE_ID_TARGET)).isEqualTo(T_SAMPLE);
        assertThat(value(L_SAMPLE, "0", CoreReloKind.TYPE_EXISTS)).isEqualTo(1);
        assertThat(value(L_SAMPLE, "0", CoreReloKind.TYPE_SIZE)).isEqualTo(96);
        assertThat(value(L_COLOR, "0", CoreReloKind.TYPE_SIZE)).isEqualTo(4);
        // the target's sample lacks 'gone' (and its types differ): it does not match
        assertThat(value(L_SAMPLE, "0", CoreReloKind.TYPE_MATCHES)).isZero();
        assertThat(value(L_INNER, "0", CoreReloKind.TYPE_MATCHES)).isEqualTo(1);
        // color: the target lacks GREEN
        assertThat(value(L_COLOR, "0", CoreReloKind.TYPE_MATCHES)).isZero();
    }

    @Test
    void typeIdTargetIsNotValidatedAgainstTheInstruction() {
        byte[] prog = program(insn(MOV64_K, 0, 0, 0, 999));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0", CoreReloKind.TYPE_ID_TARGET)));
        assertThat(buf(r.instructions()).getInt(4)).isEqualTo(T_SAMPLE);
    }

    @Test
    void enumRelocations() {
        assertThat(value(L_COLOR, "2", CoreReloKind.ENUMVAL_EXISTS)).isEqualTo(1);
        assertThat(value(L_COLOR, "1", CoreReloKind.ENUMVAL_EXISTS)).isZero();
        assertThat(value(L_COLOR, "2", CoreReloKind.ENUMVAL_VALUE)).isEqualTo(7);
        assertThat(value(L_COLOR, "0", CoreReloKind.ENUMVAL_VALUE)).isEqualTo(9);
        byte[] prog = program(insn(MOV64_K, 0, 0, 0, 2));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_COLOR, "2", CoreReloKind.ENUMVAL_VALUE)));
        assertThat(buf(r.instructions()).getInt(4)).isEqualTo(7);
        assertThat(r.fixups().get(0).access()).isEqualTo("enum color::BLUE");
    }

    @Test
    void unsignedFieldThatGrewIsLoadedAtTheNewSize() {
        byte[] prog = program(insn(LDX_W, 1, 2, 40, 0));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0:7", CoreReloKind.FIELD_BYTE_OFFSET)));
        ByteBuffer b = buf(r.instructions());
        assertThat(b.get(0) & 0xff).isEqualTo(LDX_DW);
        assertThat(b.getShort(2)).isEqualTo((short) 80);
    }

    @Test
    void signedFieldThatGrewCannotBeResizedAndIsPoisoned() {
        byte[] prog = program(insn(LDX_W, 1, 2, 44, 0));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0:8", CoreReloKind.FIELD_BYTE_OFFSET)));
        assertThat(buf(r.instructions()).get(0) & 0xff).isEqualTo(CALL);
        assertThat(r.poisonedAt(0).orElseThrow().reason()).startsWith("sample.sgrow is 4 bytes (int) in the object but 8 "
                + "bytes (long) on the 6.1 kernel");
    }

    @Test
    void sixtyFourBitImmediatesAreWrittenInBothHalves() {
        byte[] prog = program(insn(LD_IMM64, 1, 0, 0, 0), insn(0, 0, 0, 0, 0));
        CoreResult r = relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)));
        assertThat(buf(r.instructions()).getInt(4)).isEqualTo(8);
        assertThat(buf(r.instructions()).getInt(12)).isZero();
    }

    @Test
    void anInstructionThatDisagreesWithTheLocalBtfIsAnError() {
        byte[] prog = program(insn(LDX_B, 1, 2, 3, 0));
        assertThatThrownBy(() -> relocator.relocate(prog, List.of(relo(0, L_SAMPLE, "0:0",
                CoreReloKind.FIELD_BYTE_OFFSET))))
                .isInstanceOf(BtfException.class)
                .hasMessage("CO-RE relocation FIELD_BYTE_OFFSET for sample.x at instruction 0: the instruction's memory "
                        + "offset is 3, but the object's BTF says 0: the BTF does not belong to these instructions");
        assertThatThrownBy(() -> relocator.relocate(program(insn(0x95, 0, 0, 0, 0)), List.of(relo(0, L_SAMPLE, "0:0",
                CoreReloKind.FIELD_BYTE_OFFSET)))).hasMessageContaining("opcode 0x95) cannot be relocated");
        assertThatThrownBy(() -> relocator.relocate(program(insn(MOV64_K, 0, 0, 0, 0)), List.of(relo(4, L_SAMPLE,
                "0:0", CoreReloKind.FIELD_BYTE_OFFSET)))).hasMessageContaining("outside the program (1 instructions)");
    }

    @Test
    void malformedRecordsAreErrors() {
        assertThatThrownBy(() -> relocator.fixup(relo(0, L_SAMPLE, "0:x", CoreReloKind.FIELD_BYTE_OFFSET)))
                .hasMessageContaining("malformed access string '0:x'");
        assertThatThrownBy(() -> relocator.fixup(relo(0, L_SAMPLE, "0:99", CoreReloKind.FIELD_BYTE_OFFSET)))
                .hasMessageContaining("member index 99 is past the end of struct sample (9 members)");
        assertThatThrownBy(() -> relocator.fixup(relo(0, L_SAMPLE, "0:1", CoreReloKind.TYPE_SIZE)))
                .hasMessageContaining("needs access string \"0\"");
        assertThatThrownBy(() -> relocator.fixup(relo(0, 500, "0", CoreReloKind.TYPE_SIZE)))
                .hasMessageContaining("type id 500 is not in the object's BTF");
        assertThatThrownBy(() -> relocator.fixup(relo(0, L_ANON, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)))
                .hasMessageContaining("the local type is anonymous");
    }

    @Test
    void candidatesThatDisagreeAreAmbiguous() {
        Btf twoSamples = TARGET.addTypes(List.of(new Struct("sample___2", 8, List.of(new Member("x", T_INT, 32)))));
        assertThatThrownBy(() -> new CoreRelocator(LOCAL, twoSamples).fixup(relo(0, L_SAMPLE, "0:0",
                CoreReloKind.FIELD_BYTE_OFFSET)))
                .isInstanceOf(BtfException.class)
                .hasMessageContaining("ambiguous: [4] struct sample is at bit offset 64 but ["
                        + (twoSamples.typeCount() - 1) + "] struct sample___2 at 32");
        // a candidate without the field drops out; one that agrees is fine
        Btf agreeing = TARGET.addTypes(List.of(new Struct("sample___3", 12, List.of(new Member("y", T_INT, 0))),
                new Struct("sample___4", 12, List.of(new Member("x", T_INT, 64)))));
        assertThat(new CoreRelocator(LOCAL, agreeing).fixup(relo(0, L_SAMPLE, "0:0", CoreReloKind.FIELD_BYTE_OFFSET))
                .targetValue()).isEqualTo(8);
    }

    @Test
    void anIncompatibleFieldTypeIsPoisonedWithTheTypes() {
        Btf changed = TARGET.replaceTypes(java.util.Map.of(T_INNER, new Struct("inner", 12, List.of(
                new Member("a", T_SAMPLE, 0), new Member("b", T_UINT, 64)))));
        CoreFixup f = new CoreRelocator(LOCAL, changed).fixup(relo(0, L_SAMPLE, "0:3:0", CoreReloKind.FIELD_BYTE_SIZE));
        assertThat(f.poisoned()).isTrue();
        assertThat(f.reason()).isEqualTo("field 'a' of the target BTF's inner is struct sample, which does not fit "
                + "the object's int");
    }

    @Test
    void moduleBtfIsSearchedOnlyWithoutACandidateInTheBase() {
        Btf module = Btf.parse(new byte[]{(byte) 0x9f, (byte) 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0}, TARGET).addTypes(List.of(new Struct("missing", 8, List.of(
                new Member("m", T_INT, 32)))));
        CoreRelocator withModule = new CoreRelocator(LOCAL, TARGET, List.of(module), "this kernel");
        assertThat(withModule.fixup(relo(0, L_MISSING, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)).targetValue())
                .isEqualTo(4);
        assertThat(withModule.fixup(relo(0, L_SAMPLE, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)).targetValue())
                .isEqualTo(8);
    }
}
