package dev.bpfunit.rawelf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real fixtures and checks what the object loader will rely on. */
class ElfFileTest {
    private final ElfFile xdp = ElfFile.parse(Fixtures.bytes("xdp_fw.bpf.o"), "xdp_fw.bpf.o");

    @Test
    void sectionsHaveTheirKindAndContents() {
        ElfSection prog = xdp.section("xdp").orElseThrow();
        assertThat(prog.isExecutable()).isTrue();
        assertThat(prog.isAlloc()).isTrue();
        assertThat(prog.isWritable()).isFalse();
        assertThat(prog.size()).isEqualTo(0x128);
        assertThat(prog.data()).hasSize(0x128);
        // The first instruction of xdp_fw: r2 = *(u32 *)(r1 + 4), opcode 0x61.
        assertThat(prog.buffer().get(0)).isEqualTo((byte) 0x61);

        ElfSection bss = xdp.section(".bss").orElseThrow();
        assertThat(bss.isNoBits()).isTrue();
        assertThat(bss.size()).isEqualTo(8);
        assertThat(bss.data()).isEmpty();
        assertThat(bss.isWritable()).isTrue();

        ElfSection rodata = xdp.section(".rodata").orElseThrow();
        assertThat(rodata.isWritable()).isFalse();
        assertThat(rodata.buffer().getInt(0)).isEqualTo(1); // XDP_DROP
        assertThat(xdp.section(".data").orElseThrow().buffer().getLong(0)).isEqualTo(1L); // packets_seen = 1
        assertThat(new String(xdp.section("license").orElseThrow().data(), 0, 3)).isEqualTo("GPL");
        assertThat(xdp.section("nope")).isEmpty();
        assertThat(xdp.section(4)).isSameAs(prog);
        assertThat(xdp.name()).isEqualTo("xdp_fw.bpf.o");
    }

    @Test
    void sectionDataCannotBeChangedFromOutside() {
        ElfSection prog = xdp.section("xdp").orElseThrow();
        byte[] copy = prog.data();
        copy[0] = 0;
        assertThat(prog.data()[0]).isEqualTo((byte) 0x61);
        assertThat(prog.buffer().isReadOnly()).isTrue();
        assertThat(prog).isEqualTo(ElfFile.parse(Fixtures.bytes("xdp_fw.bpf.o"), "x").section(4));
    }

    @Test
    void symbolsDescribeProgramsMapsAndVariables() {
        ElfSymbol fw = byName("xdp_fw");
        assertThat(fw.isFunction()).isTrue();
        assertThat(fw.isGlobal()).isTrue();
        assertThat(fw.size()).isEqualTo(296);
        assertThat(xdp.section(fw.sectionIndex()).name()).isEqualTo("xdp");

        ElfSymbol count = byName("count");
        assertThat(count.isFunction()).isTrue();
        assertThat(count.isLocal()).isTrue();
        assertThat(xdp.section(count.sectionIndex()).name()).isEqualTo(".text");

        ElfSymbol stats = byName("stats");
        assertThat(stats.isObject()).isTrue();
        assertThat(stats.value()).isEqualTo(32);
        assertThat(xdp.section(stats.sectionIndex()).name()).isEqualTo(".maps");

        assertThat(xdp.symbol(0).isUndefined()).isTrue();
        assertThat(xdp.symbols().get(1).isAbsolute()).isTrue(); // the FILE symbol
        assertThat(xdp.symbols().stream().filter(ElfSymbol::isSection).count()).isGreaterThan(2);
        assertThat(xdp.symbols().stream().noneMatch(ElfSymbol::isWeak)).isTrue();
    }

    @Test
    void relocationsPointAtInstructionsAndSymbols() {
        ElfSection prog = xdp.section("xdp").orElseThrow();
        List<ElfRelocation> rels = xdp.relocations(prog);
        assertThat(rels).extracting(r -> xdp.symbol(r.symbolIndex()).name())
                .containsExactly("packets_seen", "last_source", "blocklist", "", "drop_action", "");
        assertThat(rels).extracting(ElfRelocation::type).containsExactly(Elf.R_BPF_64_64, Elf.R_BPF_64_64,
                Elf.R_BPF_64_64, Elf.R_BPF_64_32, Elf.R_BPF_64_64, Elf.R_BPF_64_32);
        assertThat(rels.get(3).offset()).isEqualTo(0xe0);
        assertThat(xdp.relocations(xdp.section(".text").orElseThrow())).containsExactly(
                new ElfRelocation(0x18, byName("stats").index(), Elf.R_BPF_64_64));
        assertThat(xdp.relocations(xdp.section(".rodata").orElseThrow())).isEmpty();
    }

    @Test
    void externsAndKfuncsAreUndefinedSymbols() {
        ElfFile ext = ElfFile.parse(Fixtures.bytes("extern.bpf.o"), "extern.bpf.o");
        ElfSymbol version = symbol(ext, "LINUX_KERNEL_VERSION");
        assertThat(version.isUndefined()).isTrue();
        assertThat(version.isGlobal()).isTrue();
        assertThat(version.isInSection()).isFalse();
        ElfSymbol jit = symbol(ext, "CONFIG_BPF_JIT");
        assertThat(jit.isUndefined()).isTrue();
        assertThat(jit.isWeak()).isTrue();
        ElfSymbol kfunc = symbol(ext, "bpf_rcu_read_lock");
        assertThat(kfunc.isUndefined()).isTrue();
        List<ElfRelocation> rels = ext.relocations(ext.section("tc").orElseThrow());
        assertThat(rels.get(0)).isEqualTo(new ElfRelocation(0x10, kfunc.index(), Elf.R_BPF_64_32));
        // The callback passed to bpf_loop is an ld_imm64 of .text, relocated against its section symbol.
        assertThat(ext.symbol(rels.get(1).symbolIndex()).isSection()).isTrue();
        assertThat(rels.get(1).type()).isEqualTo(Elf.R_BPF_64_64);
    }

    @Test
    void lookupsOutOfRangeNameTheObject() {
        assertThatThrownBy(() -> xdp.section(32)).isInstanceOf(ElfFormatException.class)
                .hasMessage("xdp_fw.bpf.o: no section 32 (the object has 32 sections, 0 to 31)");
        assertThatThrownBy(() -> xdp.section(-1)).isInstanceOf(ElfFormatException.class);
        assertThatThrownBy(() -> xdp.symbol(24)).isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("no symbol 24");
        ElfSection foreign = ElfFile.parse(Fixtures.bytes("alu.bpf.o"), "alu.bpf.o").section(2);
        assertThatThrownBy(() -> xdp.relocations(foreign)).isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("is not a section of this object");
    }

    @Test
    void readsFromAPathAndExplainsAMissingFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("xdp_fw.bpf.o");
        Files.write(file, Fixtures.bytes("xdp_fw.bpf.o"));
        ElfFile read = ElfFile.read(file);
        assertThat(read.name()).isEqualTo("xdp_fw.bpf.o");
        assertThat(read.sections()).hasSize(32);

        Path missing = dir.resolve("missing.bpf.o");
        assertThatThrownBy(() -> ElfFile.read(missing)).isInstanceOf(ElfFormatException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist")
                .hasMessageContaining("clang -O2 -g -target bpf");
        assertThatThrownBy(() -> ElfFile.read(dir)).isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("is a directory");
    }

    private ElfSymbol byName(String name) {
        return symbol(xdp, name);
    }

    private static ElfSymbol symbol(ElfFile elf, String name) {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
