package dev.bpfunit.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Btf#parseLazily}: the same types as a whole parse, decoded on first use; names found through the raw-name
 * index exactly as a scan of every decoded type finds them; a malformed type failing when it is first used.
 */
class BtfLazyTest {

    private static final byte[] TYPES = Fixtures.bytes("types.btf");
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    @Test
    void lazyAndWholeParsesHaveTheSameTypes() throws Exception {
        assertThat(Btf.parseLazily(TYPES, null).types()).isEqualTo(Btf.parse(TYPES).types());
        assumeTrue(Files.isReadable(VMLINUX), "no " + VMLINUX);
        byte[] vmlinux = Files.readAllBytes(VMLINUX);
        assertThat(Btf.parseLazily(vmlinux, null).types()).isEqualTo(Btf.parse(vmlinux).types());
    }

    @Test
    void theFixturesNamesAreFoundAsAScanFindsThem() {
        assertIndexMatchesScan(Btf.parseLazily(TYPES, null));
        assertIndexMatchesScan(Btf.parse(TYPES));
    }

    @Test
    void everyNameOfTheRunningKernelIsFoundAsAScanFindsIt() {
        assumeTrue(Files.isReadable(VMLINUX), "no " + VMLINUX);
        Btf vmlinux = Btf.vmlinux();
        assertIndexMatchesScan(vmlinux);
        assertThat(vmlinux.idsByName("no_such_type_in_any_kernel")).isEmpty();
        assertThat(vmlinux.findId("task_struct", Struct.class)).isPresent();
    }

    @Test
    void flavoredNamesShareTheirEssentialName() {
        Btf base = Btf.parse(TYPES);
        int u32 = base.id("__u32", Typedef.class);
        Btf withFlavors = base.addTypes(List.of(new Struct("flowkey___v1", 4, List.of(new Member("a", u32, 0))),
                new Struct("flowkey", 4, List.of()), new Typedef("flowkey___v2", u32),
                new Struct("flowkey____", 4, List.of()), new Struct("flowkey___", 4, List.of()),
                new Struct("a___b___c", 4, List.of())));
        int first = base.typeCount();
        for (Btf btf : List.of(withFlavors, Btf.parseLazily(withFlavors.encode(ByteOrder.LITTLE_ENDIAN), null))) {
            assertThat(btf.idsByEssentialName("flowkey")).containsExactly(first, first + 1, first + 2);
            assertThat(btf.idsByName("flowkey")).containsExactly(first + 1);
            assertThat(btf.idsByName("flowkey___v2")).containsExactly(first + 2);
            assertThat(btf.idsByEssentialName("flowkey____")).containsExactly(first + 3);
            assertThat(btf.idsByEssentialName("flowkey___")).containsExactly(first + 4);
            assertThat(btf.idsByEssentialName("a___b")).containsExactly(first + 5);
            assertThat(btf.idsByEssentialName("flowkey___v1")).isEmpty();
            assertIndexMatchesScan(btf);
        }
    }

    @Test
    void aMalformedTypeFailsWhenFirstUsedWithTheWholeParsesMessage() {
        Btf whole = Btf.parse(TYPES);
        int last = whole.typeCount() - 1;
        byte[] badName = withInt(TYPES, 24, 999_999);
        Btf lazy = Btf.parseLazily(badName, null);
        assertThat(lazy.type(2)).isEqualTo(whole.type(2));
        assertThatThrownBy(() -> lazy.type(1)).isInstanceOf(BtfException.class)
                .hasMessageContaining("BTF: type [1] PTR at offset 0 of the type section: name: string offset 999999 "
                        + "is past the end");
        Btf badTarget = Btf.parseLazily(withInt(TYPES, 24 + 8, 5000), null);
        assertThatThrownBy(() -> badTarget.type(1)).isInstanceOf(BtfException.class)
                .hasMessage("BTF: type [1] PTR: pointee refers to type id 5000, but the BTF has only ids 0.." + last);
        // the kind and extent of every type are still checked when parsing
        assertThatThrownBy(() -> Btf.parseLazily(withInt(TYPES, 24 + 4, 31 << 24), null))
                .isInstanceOf(BtfException.class)
                .hasMessage("BTF: type [1] at offset 0 of the type section: unknown kind 31 (this parser knows 1..19)");
    }

    @Test
    void splitBtfNamingABaseStringIsIndexed() {
        Btf base = Btf.parse(TYPES);
        int u32 = base.id("__u32", Typedef.class);
        // a split typedef named by the base's string "__u32", and one named by its own string "mine"
        int nameOff = stringOffset(base, "__u32");
        byte[] own = "\0mine\0".getBytes(StandardCharsets.US_ASCII);
        int firstOwn = stringSectionLength(base);
        ByteBuffer types = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        types.putInt(nameOff).putInt(BtfKind.TYPEDEF.number() << 24).putInt(u32);
        types.putInt(firstOwn + 1).putInt(BtfKind.TYPEDEF.number() << 24).putInt(u32);
        ByteBuffer split = ByteBuffer.allocate(24 + 24 + own.length).order(ByteOrder.LITTLE_ENDIAN);
        split.putShort((short) Btf.MAGIC).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(24).putInt(24)
                .putInt(own.length).put(types.array()).put(own);
        Btf module = Btf.parseLazily(split.array(), base);
        int id = base.typeCount();
        assertThat(module.idsByName("__u32")).containsExactly(u32, id);
        assertThat(module.idsByEssentialName("__u32")).containsExactly(id);
        assertThat(module.idsByName("mine")).containsExactly(id + 1);
        assertThat(module.type(id + 1)).isEqualTo(new Typedef("mine", u32));
    }

    @Test
    void theKernelsIndexIsKeptOnDiskAndAStaleOrCorruptFileIsIgnored(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        assumeTrue(Files.isReadable(VMLINUX), "no " + VMLINUX);
        byte[] vmlinux = Files.readAllBytes(VMLINUX);
        String before = System.getProperty(BtfIndexCache.PROPERTY);
        System.setProperty(BtfIndexCache.PROPERTY, dir.toString());
        try {
            Path file = BtfIndexCache.file(dir, vmlinux.length, BtfIndexCache.checksum(java.nio.ByteBuffer.wrap(vmlinux)));
            Btf written = Btf.parseLazily(vmlinux, null);
            assertThat(file).isRegularFile();
            assertThat(BtfIndexCache.read(file, vmlinux.length, BtfIndexCache.checksum(java.nio.ByteBuffer.wrap(vmlinux)))).isPresent();
            assertThat(BtfIndexCache.read(file, vmlinux.length, BtfIndexCache.checksum(java.nio.ByteBuffer.wrap(vmlinux)) + 1))
                    .as("another blob's key").isEmpty();
            Btf fromCache = Btf.parseLazily(vmlinux, null);
            assertThat(fromCache.types()).isEqualTo(written.types());
            assertIndexMatchesScan(fromCache);

            byte[] kept = Files.readAllBytes(file);
            byte[] corrupt = kept.clone();
            corrupt[kept.length / 2] ^= 0x40;
            Files.write(file, corrupt);
            assertThat(BtfIndexCache.read(file, vmlinux.length, BtfIndexCache.checksum(java.nio.ByteBuffer.wrap(vmlinux)))).isEmpty();
            Btf rebuilt = Btf.parseLazily(vmlinux, null);
            assertIndexMatchesScan(rebuilt);
            assertThat(Files.readAllBytes(file)).as("written anew").isEqualTo(kept);
            Files.write(file, java.util.Arrays.copyOf(kept, 40));
            assertThat(BtfIndexCache.read(file, vmlinux.length, BtfIndexCache.checksum(java.nio.ByteBuffer.wrap(vmlinux)))).isEmpty();
            assertThat(Btf.parseLazily(vmlinux, null).idsByName("task_struct")).isEqualTo(written.idsByName("task_struct"));
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                        .containsExactly(file.getFileName().toString());
            }

            System.setProperty(BtfIndexCache.PROPERTY, "false");
            Files.delete(file);
            assertThat(Btf.parseLazily(vmlinux, null).typeCount()).isEqualTo(written.typeCount());
            assertThat(file).doesNotExist();
        } finally {
            dev.bpfunit.TestProperties.restore(BtfIndexCache.PROPERTY, before);
        }
    }

    /**
     * The running kernel's BTF is kept with its index under the kernel's build id and found again without reading
     * the kernel's: the file is not written again; a kept copy that does not start with the kernel's bytes, or a
     * corrupt file, is written anew with the kernel's bytes.
     */
    @Test
    void theRunningKernelsBtfIsKeptUnderItsBuildIdAndFoundWithoutReadingTheKernels(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assumeTrue(Files.isReadable(VMLINUX), "no " + VMLINUX);
        java.util.Optional<String> buildId = BtfIndexCache.runningBuildId();
        assumeTrue(buildId.isPresent(), "the kernel has no build id in " + BtfIndexCache.KERNEL_NOTES);
        byte[] kernel = Files.readAllBytes(VMLINUX);
        Path file = BtfIndexCache.kernelFile(dir, buildId.get(), kernel.length);
        String before = System.getProperty(BtfIndexCache.PROPERTY);
        System.setProperty(BtfIndexCache.PROPERTY, dir.toString());
        try {
            Btf read = Btf.readRunningKernel();
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("one file, no temporary one")
                        .containsExactly(file.getFileName().toString());
            }
            assertThat(keptCopy(file, kernel.length)).isEqualTo(kernel);
            Object written = fileKey(file);

            Btf kept = Btf.readRunningKernel();
            assertThat(fileKey(file)).as("found, not written again").isEqualTo(written);
            assertThat(kept.typeCount()).isEqualTo(read.typeCount());
            assertThat(kept.idsByName("task_struct")).isNotEmpty().isEqualTo(read.idsByName("task_struct"));
            int task = kept.id("task_struct", Struct.class);
            assertThat(kept.type(task)).isEqualTo(read.type(task));
            assertIndexMatchesScan(kept);

            // a valid file (its CRC32C matches) whose copy's first or last page is not the kernel's: written anew
            for (int changed : new int[] {100, kernel.length - 100}) {
                BtfIndexCache.Kept good = BtfIndexCache.readCopy(file, kernel.length).orElseThrow();
                byte[] other = kernel.clone();
                other[changed] ^= 0x01;
                BtfIndexCache.write(file, kernel.length, BtfIndexCache.checksum(ByteBuffer.wrap(other)), good.index(),
                        ByteBuffer.wrap(other));
                assertThat(keptCopy(file, kernel.length)).isEqualTo(other);
                Object stale = fileKey(file);
                assertThat(Btf.readRunningKernel().typeCount()).isEqualTo(read.typeCount());
                assertThat(fileKey(file)).as("byte %d changed", changed).isNotEqualTo(stale);
                assertThat(keptCopy(file, kernel.length)).isEqualTo(kernel);
            }

            // a corrupt file (moved into place, as a writer would): not used, written anew
            byte[] corrupt = Files.readAllBytes(file);
            corrupt[corrupt.length - 10] ^= 0x40;
            Path tmp = dir.resolve("corrupt.tmp");
            Files.write(tmp, corrupt);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(BtfIndexCache.readCopy(file, kernel.length)).isEmpty();
            assertThat(Btf.readRunningKernel().idsByName("task_struct")).isEqualTo(read.idsByName("task_struct"));
            assertThat(keptCopy(file, kernel.length)).isEqualTo(kernel);

            System.setProperty(BtfIndexCache.PROPERTY, "false");
            Files.delete(file);
            assertThat(Btf.readRunningKernel().typeCount()).isEqualTo(read.typeCount());
            assertThat(file).doesNotExist();
        } finally {
            dev.bpfunit.TestProperties.restore(BtfIndexCache.PROPERTY, before);
        }
    }

    private static byte[] keptCopy(Path file, int length) {
        ByteBuffer copy = BtfIndexCache.readCopy(file, length).orElseThrow().copy().orElseThrow();
        byte[] bytes = new byte[copy.capacity()];
        copy.get(0, bytes);
        return bytes;
    }

    private static Object fileKey(Path file) throws java.io.IOException {
        return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    /** The build id is the GNU note's descriptor; other notes before it are skipped, a truncated one ends the walk. */
    @Test
    void theBuildIdIsTheGnuNoteAmongTheKernelsNotes() {
        ByteBuffer notes = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        notes.putInt(4).putInt(4).putInt(6).put("Xen\0".getBytes(StandardCharsets.US_ASCII)).putInt(0x01020304);
        notes.putInt(4).putInt(5).putInt(3).put("GNU\0".getBytes(StandardCharsets.US_ASCII))
                .put(new byte[] {(byte) 0xde, (byte) 0xad, 0x00, 0x0f, 0x10}).put(new byte[3]);
        byte[] both = java.util.Arrays.copyOf(notes.array(), notes.position());
        assertThat(BtfIndexCache.buildId(both)).contains("dead000f10");
        assertThat(BtfIndexCache.buildId(java.util.Arrays.copyOf(both, 20))).as("only the first note").isEmpty();
        assertThat(BtfIndexCache.buildId(java.util.Arrays.copyOf(both, both.length - 4))).as("truncated").isEmpty();
        assertThat(BtfIndexCache.buildId(new byte[0])).isEmpty();
        both[32] = (byte) 'X';    // "GNU" -> "XNU": not a GNU note
        assertThat(BtfIndexCache.buildId(both)).isEmpty();
    }

    /** The property names a directory, or says false (no cache) or true (the default place, not a "true" dir). */
    @Test
    void theCacheSettingTakesADirectoryOrTrueOrFalse() {
        String before = System.getProperty(BtfIndexCache.PROPERTY);
        try {
            System.clearProperty(BtfIndexCache.PROPERTY);
            java.util.Optional<Path> defaultPlace = BtfIndexCache.directory();
            System.setProperty(BtfIndexCache.PROPERTY, "true");
            assertThat(BtfIndexCache.directory()).isEqualTo(defaultPlace);
            System.setProperty(BtfIndexCache.PROPERTY, " FALSE ");
            assertThat(BtfIndexCache.directory()).isEmpty();
            System.setProperty(BtfIndexCache.PROPERTY, "/tmp/btf-index");
            assertThat(BtfIndexCache.directory()).contains(Path.of("/tmp/btf-index"));
        } finally {
            dev.bpfunit.TestProperties.restore(BtfIndexCache.PROPERTY, before);
        }
    }

    /** idsByName and idsByEssentialName of every name against a scan of every decoded type. */
    private static void assertIndexMatchesScan(Btf btf) {
        Map<String, List<Integer>> byName = new HashMap<>();
        Map<String, List<Integer>> byEssential = new HashMap<>();
        int first = btf.base().map(Btf::typeCount).orElse(0);
        for (int id = first; id < btf.typeCount(); id++) {
            String name = btf.type(id).name();
            if (!name.isEmpty()) {
                byName.computeIfAbsent(name, k -> new ArrayList<>()).add(id);
                byEssential.computeIfAbsent(Btf.essentialName(name), k -> new ArrayList<>()).add(id);
            }
        }
        assertThat(byName).isNotEmpty();
        byName.forEach((name, ids) -> assertThat(btf.idsByName(name)).as("idsByName(%s)", name).isEqualTo(ids));
        byEssential.forEach((name, ids) -> assertThat(btf.idsByEssentialName(name)).as("idsByEssentialName(%s)", name)
                .isEqualTo(ids));
    }

    private static int stringSectionLength(Btf btf) {
        byte[] raw = btf.encode(ByteOrder.LITTLE_ENDIAN);
        return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
    }

    private static int stringOffset(Btf btf, String s) {
        byte[] raw = btf.encode(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int start = 24 + b.getInt(16);
        int len = b.getInt(20);
        byte[] want = (s + "\0").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + want.length <= len; i++) {
            if ((i == 0 || raw[start + i - 1] == 0)
                    && java.util.Arrays.equals(raw, start + i, start + i + want.length, want, 0, want.length)) {
                return i;
            }
        }
        throw new AssertionError(s + " not in the string section");
    }

    private static byte[] withInt(byte[] data, int at, int value) {
        byte[] copy = data.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return copy;
    }
}
