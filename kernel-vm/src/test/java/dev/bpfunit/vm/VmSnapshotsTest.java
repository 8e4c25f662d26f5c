package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmSnapshotsTest {
    @TempDir
    Path temp;

    private QemuCommand command(int memory, String append, List<QemuCommand.Share> shares) throws IOException {
        Path qemu = temp.resolve("qemu");
        Path kernel = temp.resolve("vmlinuz");
        Path initrd = temp.resolve("initrd");
        if (!Files.exists(qemu)) {
            Files.writeString(qemu, "qemu");
            Files.writeString(kernel, "kernel");
            Files.writeString(initrd, "initramfs one");
        }
        return new QemuCommand(qemu, Accelerator.TCG, memory, 2, kernel, initrd, append, shares);
    }

    private static List<QemuCommand.Share> shares(String runDir) {
        return List.of(new QemuCommand.Share("hostroot", Path.of("/"), true),
                new QemuCommand.Share("bpfunit", Path.of(runDir), false));
    }

    @Test
    void theKeyIsTheMachineNotTheRunsDirectories() throws IOException {
        String key = VmSnapshots.key(command(2048, "console=ttyS0", shares("/tmp/run-1")));

        assertThat(VmSnapshots.key(command(2048, "console=ttyS0", shares("/tmp/run-2")))).isEqualTo(key);
        assertThat(key).matches("[0-9a-f]{32}");
        assertThat(VmSnapshots.key(command(1024, "console=ttyS0", shares("/tmp/run-1")))).isNotEqualTo(key);
        assertThat(VmSnapshots.key(command(2048, "console=ttyS0 quiet", shares("/tmp/run-1")))).isNotEqualTo(key);
        List<QemuCommand.Share> more = List.of(shares("/r").get(0), shares("/r").get(1),
                new QemuCommand.Share("share0", Path.of("/results"), false));
        assertThat(VmSnapshots.key(command(2048, "console=ttyS0", more))).isNotEqualTo(key);
        List<QemuCommand.Share> readOnly = List.of(shares("/r").get(0),
                new QemuCommand.Share("bpfunit", Path.of("/r"), true));
        assertThat(VmSnapshots.key(command(2048, "console=ttyS0", readOnly))).isNotEqualTo(key);

        Files.writeString(temp.resolve("initrd"), "initramfs two"); // other modules, another /init
        assertThat(VmSnapshots.key(command(2048, "console=ttyS0", shares("/tmp/run-1")))).isNotEqualTo(key);
    }

    @Test
    void aNewerKernelOrQemuAtTheSamePathIsAnotherMachine() throws IOException {
        QemuCommand command = command(2048, "console=ttyS0", shares("/r"));
        String key = VmSnapshots.key(command);

        Files.writeString(command.kernel(), "kernel, rebuilt");
        String rebuilt = VmSnapshots.key(command);
        assertThat(rebuilt).isNotEqualTo(key);
        Files.setLastModifiedTime(command.qemu(), FileTime.fromMillis(1_000_000));
        assertThat(VmSnapshots.key(command)).isNotEqualTo(rebuilt);
    }

    private static void write(VmSnapshots.Snapshot snapshot) throws IOException {
        Files.createDirectories(snapshot.dir());
        Files.writeString(snapshot.memory(), "memory");
        Files.writeString(snapshot.devices(), "devices");
    }

    @Test
    void keepsTheMostRecentlyUsedAndDropsStaleSaves() throws IOException {
        VmSnapshots store = new VmSnapshots(temp.resolve("snapshots"));
        long now = System.currentTimeMillis();
        for (int i = 0; i < VmSnapshots.KEPT + 3; i++) {
            VmSnapshots.Snapshot snapshot = new VmSnapshots.Snapshot(store.dir().resolve("k" + i));
            write(snapshot);
            Files.setLastModifiedTime(snapshot.dir(), FileTime.fromMillis(now - (100 - i) * 60_000L));
        }
        assertThat(store.find("k0")).isPresent(); // the oldest, used now
        VmSnapshots.Saving stale = store.saving("k1");
        Files.setLastModifiedTime(stale.files().dir(), FileTime.fromMillis(now - 2 * 3_600_000L));
        VmSnapshots.Saving saving = store.saving("k2"); // being written by another run
        // an older bpfunit's snapshot, two files at the top of the store, and a file just written by someone
        Path oldMemory = Files.writeString(store.dir().resolve("0123abcd.memory"), "memory");
        Path oldDevices = Files.writeString(store.dir().resolve("0123abcd.devices"), "devices");
        Files.setLastModifiedTime(oldMemory, FileTime.fromMillis(now - 2 * 3_600_000L));
        Files.setLastModifiedTime(oldDevices, FileTime.fromMillis(now - 2 * 3_600_000L));
        Path recentFile = Files.writeString(store.dir().resolve("recent.tmp"), "x");

        store.prune();

        assertThat(oldMemory).doesNotExist();
        assertThat(oldDevices).doesNotExist();
        assertThat(recentFile).exists();
        Files.delete(recentFile);

        try (Stream<Path> files = Files.list(store.dir())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.contains("saving")))
                    .containsExactlyInAnyOrder("k0", "k4", "k5", "k6", "k7", "k8", "k9", "k10");
        }
        assertThat(stale.files().dir()).doesNotExist();
        assertThat(saving.memory()).exists();
        assertThat(store.find("k1")).isEmpty();
        store.discard("k0");
        assertThat(store.find("k0")).isEmpty();
        assertThat(store.dir().resolve("k0")).doesNotExist();
    }

    /** Saved guests with a resident JVM (about 600 MB each) are kept fewer, the most recently used of them. */
    @Test
    void keepsFewerSnapshotsWithAResidentJvm() throws IOException {
        VmSnapshots store = new VmSnapshots(temp.resolve("snapshots"));
        long now = System.currentTimeMillis();
        int resident = VmSnapshots.KEPT_RESIDENT + 2;
        for (int i = 0; i < resident + 2; i++) {
            String key = (i < resident ? "r" : "p") + i;
            VmSnapshots.Saving saving = store.saving(key, i < resident ? "f usr/lib/jvm/x 1 2\n" : "");
            Files.writeString(saving.devices(), "devices");
            // moved into place as commit does, without its pruning
            Path snapshot = Files.move(saving.files().dir(), store.dir().resolve(key));
            Files.setLastModifiedTime(snapshot, FileTime.fromMillis(now - (100 - i) * 60_000L));
        }
        assertThat(store.contains("r0")).isTrue();
        long r0 = Files.getLastModifiedTime(store.dir().resolve("r0")).toMillis();
        assertThat(Files.getLastModifiedTime(store.dir().resolve("r0")).toMillis()).as("contains does not mark it used")
                .isEqualTo(r0);

        store.prune();

        try (Stream<Path> files = Files.list(store.dir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("r2", "r3", "r4", "p5", "p6");
        }
        assertThat(store.contains("r0")).isFalse();
        assertThat(store.find("r4")).isPresent();
        assertThat(store.dir().resolve("r4").resolve("layer")).hasContent("f usr/lib/jvm/x 1 2\n");
        assertThat(store.dir().resolve("p6").resolve("layer")).doesNotExist();
    }

    /** A machine whose resident JVM could not start is remembered for a week, so its runs do not boot to try again. */
    @Test
    void remembersAMachineThatCannotBeSavedWithItsJvm() throws IOException {
        VmSnapshots store = new VmSnapshots(temp.resolve("snapshots"));
        assertThat(store.refused("abc")).isFalse();
        store.refuse("abc");
        store.refuse("old");
        assertThat(store.refused("abc")).isTrue();
        assertThat(store.contains("abc")).as("no saved guest").isFalse();
        Path old = store.dir().resolve("old.refused");
        Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 8 * 24 * 3_600_000L));
        Files.setLastModifiedTime(store.dir().resolve("abc.refused"),
                FileTime.fromMillis(System.currentTimeMillis() - 2 * 3_600_000L));

        store.prune();

        assertThat(store.refused("abc")).as("two hours old").isTrue();
        assertThat(store.refused("old")).as("eight days old").isFalse();
    }

    @Test
    void aSnapshotIsFoundOnlyOnceCommittedWholeAndTheFirstOfTwoSavesIsKept() throws IOException {
        VmSnapshots store = new VmSnapshots(temp.resolve("snapshots"));
        VmSnapshots.Saving saving = store.saving("abc");
        VmSnapshots.Saving other = store.saving("abc"); // the same machine saved by another run at once
        assertThat(saving.memory()).isRegularFile().isEmptyFile();
        Files.writeString(saving.devices(), "first");
        Files.writeString(other.devices(), "second");
        assertThat(store.find("abc")).isEmpty();

        VmSnapshots.Snapshot snapshot = store.commit(saving);
        assertThat(store.commit(other)).isEqualTo(snapshot);

        assertThat(store.find("abc")).contains(snapshot);
        assertThat(snapshot.devices()).hasContent("first");
        assertThat(saving.files().dir()).doesNotExist();
        assertThat(other.files().dir()).doesNotExist();
        Files.delete(snapshot.memory());
        assertThat(store.find("abc")).as("devices without their memory").isEmpty();
    }

    @Test
    void restoresFromAPrivateMappingOfTheMemoryAndOnlyUnderTcg() {
        VmSnapshots.Snapshot snapshot = new VmSnapshots.Snapshot(Path.of("/c/a,b"));
        assertThat(VmSnapshots.restoreArguments(snapshot, 2048)).containsExactly(
                "-object", "memory-backend-file,id=bpfunit-ram,size=2048M,mem-path=/c/a,,b/memory,share=off",
                "-machine", "memory-backend=bpfunit-ram", "-incoming", "defer");
        VmSnapshots.Saving saving = new VmSnapshots.Saving("k", new VmSnapshots.Snapshot(Path.of("/c/k-saving-1")));
        assertThat(VmSnapshots.savingArguments(saving, 512)).containsExactly(
                "-object", "memory-backend-file,id=bpfunit-ram,size=512M,mem-path=/c/k-saving-1/memory,share=on",
                "-machine", "memory-backend=bpfunit-ram");
        assertThat(VmSnapshots.goLine()).matches("go \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\n");
        String before = System.getProperty(VmSnapshots.PROPERTY);
        try {
            System.clearProperty(VmSnapshots.PROPERTY);
            assertThat(VmSnapshots.enabled(Accelerator.TCG)).isTrue();
            assertThat(VmSnapshots.enabled(Accelerator.KVM)).isFalse();
            System.setProperty(VmSnapshots.PROPERTY, "false");
            assertThat(VmSnapshots.enabled(Accelerator.TCG)).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty(VmSnapshots.PROPERTY);
            } else {
                System.setProperty(VmSnapshots.PROPERTY, before);
            }
        }
    }
}
