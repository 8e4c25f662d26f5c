package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.bpfunit.vm.fixtures.GuestMappedFiles;
import dev.bpfunit.vm.fixtures.GuestPasses;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots real guests (Debian's 6.1 and 6.12 kernels, fetched on first use) under QEMU; TCG where KVM does not
 * work, so each test takes 10 to 30 seconds.
 */
class VmRunnerTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static KernelImage kernel612;
    private static KernelImage kernel61;

    private final VmRunner runner = new VmRunner();
    private final List<String> output = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void fetchKernels() {
        kernel612 = KernelImage.debian("6.12");
        kernel61 = KernelImage.debian("6.1");
    }

    /**
     * Every run kills QEMU and removes its temporary directory, whatever happened in the guest (this test's own
     * run directory: other builds on the machine create and remove theirs at the same time).
     */
    @AfterEach
    void nothingLeftBehind() {
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().command().orElse("?"))).noneMatch(c -> c.contains("qemu"));
        runner.lastRunDir().ifPresent(dir -> assertThat(dir).doesNotExist());
    }

    private VmResult run(KernelImage kernel, String script, Duration timeout) {
        return runner.run(VmSpec.of(kernel, List.of("sh", "-c", script)).withTimeout(timeout), output::add);
    }

    @Test
    void runsUnameIn612WithBtfBpffsAndBpftool() {
        VmResult result = run(kernel612, "uname -r; wc -c < /sys/kernel/btf/vmlinux;"
                + " bpftool map create /sys/fs/bpf/probe type array key 4 value 8 entries 4 name vmprobe"
                + " && bpftool map show pinned /sys/fs/bpf/probe", TIMEOUT);

        assertThat(result.requireExited().exitCode()).as(result.describe()).isZero();
        // the release is the one "6.12" resolved to today (the mirror's newest point release), never a fixed one
        assertThat(output.get(0)).isEqualTo(kernel612.name()).matches("6\\.12\\.\\d+\\+deb12-amd64");
        assertThat(Long.parseLong(output.get(1).trim())).isGreaterThan(1_000_000);
        assertThat(output).anyMatch(l -> l.matches("\\d+: array\\s+name vmprobe\\s+flags 0x0"));
        assertThat(result.bootTime()).isPresent();
        assertThat(result.bootTime().get()).isLessThan(result.elapsed());
    }

    /** The guest's /boot is the kernel package's, so /boot/config-$(uname -r) is this kernel's configuration. */
    @Test
    void runsUnameIn61WithItsOwnConfigInBoot() {
        VmResult result = run(kernel61, "uname -r; grep -c '^CONFIG_BPF_SYSCALL=y' /boot/config-$(uname -r)", TIMEOUT);

        assertThat(result.succeeded()).as(result.describe()).isTrue();
        assertThat(output).containsExactly(kernel61.name(), "1");
        assertThat(kernel61.name()).startsWith("6.1.0-");
    }

    /** A writable directory (and the working directory) whose path has spaces and a quote is mounted as it is. */
    @Test
    void propagatesTheExitCodeAndWritesWritableDirectories(@TempDir Path temp) throws IOException {
        Path results = Files.createDirectory(temp.resolve("test results (it's  here)"));
        VmSpec spec = VmSpec.of(kernel612, List.of("sh", "-c", "id -u > result.txt; echo done; exit 3"))
                .withWorkingDir(results).withWritableDir(results).withTimeout(TIMEOUT);

        VmResult result = runner.run(spec, output::add);

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.EXITED);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.succeeded()).isFalse();
        assertThat(output).containsExactly("done");
        assertThat(Files.readString(results.resolve("result.txt"))).isEqualTo("0\n");
    }

    /** The test engine's way: a JVM on the host's classpath in the guest, its results in a writable directory. */
    @Test
    void runsAJvmOnTheHostClasspathAndCollectsItsResultFile(@TempDir Path results) throws IOException {
        List<String> java = GuestJava.command(runner.accelerator(), List.of("-Xshare:auto"),
                System.getProperty("java.class.path"), GuestHello.class.getName(), List.of(results.toString(), "b"));
        VmSpec spec = VmSpec.of(kernel61, java).withWritableDir(results).withTimeout(TIMEOUT);

        VmResult result = runner.run(spec, output::add);

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.EXITED);
        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(output).containsExactly("guest jvm on " + kernel61.name());
        assertThat(Files.readString(results.resolve("result.txt"))).isEqualTo(results + ",b\n");
    }

    /**
     * The first run of a machine boots and saves the guest before it mounts the host; the next restores it, with the
     * host's clock, shares at this run's paths and the saved guest's memory untouched on disk. A snapshot QEMU cannot
     * load is deleted and the guest boots.
     */
    @Test
    void savesTheBootedGuestAndRestoresItForTheNextRun(@TempDir Path temp) throws IOException {
        Path results = Files.createDirectory(temp.resolve("results"));
        VmSnapshots store = new VmSnapshots(temp.resolve("snapshots"));
        VmRunner saving = runner.withSnapshots(store);
        String script = "date -u +%s; uname -r; echo $$ > out.txt";
        VmSpec spec = VmSpec.of(kernel612, List.of("sh", "-c", script)).withWorkingDir(results)
                .withWritableDir(results).withTimeout(TIMEOUT);
        if (!VmSnapshots.enabled(saving.accelerator())) {
            VmResult result = saving.run(spec, output::add);
            assertThat(result.start()).as("KVM guests boot").isEqualTo(VmResult.Start.BOOTED);
            return;
        }

        VmResult first = saving.run(spec, output::add);

        assertThat(first.succeeded()).as(first.describe()).isTrue();
        assertThat(first.start()).isEqualTo(VmResult.Start.SAVED);
        Path snapshot;
        try (var files = Files.list(store.dir())) {
            snapshot = files.collect(java.util.stream.Collectors.toList()).get(0);
        }
        assertThat(snapshot.getFileName().toString()).matches("[0-9a-f]{32}");
        Path memory = snapshot.resolve("memory");
        Path devices = snapshot.resolve("devices");
        try (var files = Files.list(store.dir())) {
            assertThat(files).as("nothing but the snapshot").hasSize(1);
        }
        String saved = digest(memory);
        List<String> firstOutput = List.copyOf(output);
        output.clear();

        Path otherResults = Files.createDirectory(temp.resolve("other results"));
        VmResult second = saving.run(VmSpec.of(kernel612, List.of("sh", "-c", script)).withWorkingDir(otherResults)
                .withWritableDir(otherResults).withTimeout(TIMEOUT), output::add);

        assertThat(second.succeeded()).as(second.describe()).isTrue();
        assertThat(second.start()).isEqualTo(VmResult.Start.RESTORED);
        assertThat(second.bootTime()).isPresent();
        assertThat(output.get(1)).isEqualTo(firstOutput.get(1)).isEqualTo(kernel612.name());
        long guestClock = Long.parseLong(output.get(0));
        assertThat(guestClock).isCloseTo(System.currentTimeMillis() / 1000, within(60L));
        assertThat(otherResults.resolve("out.txt")).exists();
        assertThat(digest(memory)).as("a restored guest writes to its own copy").isEqualTo(saved);

        Files.write(devices, new byte[] {1, 2, 3, 4});
        output.clear();
        VmResult third = saving.run(spec, output::add);

        assertThat(third.succeeded()).as(third.describe()).isTrue();
        assertThat(third.start()).isEqualTo(VmResult.Start.BOOTED);
        assertThat(output.get(1)).isEqualTo(kernel612.name());
        assertThat(snapshot).doesNotExist();
    }

    /**
     * A resident launcher JVM from a machine's second run ({@link ResidentJvm.When#SECOND_RUN}, the matrix's default):
     * the first run saves the guest without it and runs the launcher as usual; the second finds that snapshot, boots,
     * starts the JVM from the initramfs layer, saves the guest with it and hands it the run once restored; the third
     * restores that machine (the hand-off is not part of it) and hands the JVM another run. The tests' classes (the
     * working directory's class path entries) come with the hand-off; the JVM discovered the second run's before the
     * guest was saved.
     */
    @Test
    void savesAResidentLauncherJvmWithTheGuestFromItsSecondRunAndHandsItEachRun(@TempDir Path temp) throws IOException {
        VmRunner saving = runner.withSnapshots(new VmSnapshots(temp.resolve("snapshots")));
        Assumptions.assumeTrue(VmSnapshots.enabled(saving.accelerator()), "KVM guests boot, with no resident JVM");
        // the tests' classes are the working directory's: the resident JVM starts without them
        Path work = Path.of(GuestPasses.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        for (String name : List.of("first", "second", "third")) {
            Path results = Files.createDirectory(temp.resolve(name));
            Path request = results.resolve("request.properties");
            Path events = results.resolve("events.txt");
            Properties settings = new Properties();
            settings.setProperty(GuestLauncher.CLASSES, GuestPasses.class.getName() + ","
                    + GuestMappedFiles.class.getName());
            try (Writer out = Files.newBufferedWriter(request, StandardCharsets.UTF_8)) {
                settings.store(out, null);
            }
            List<String> jvmArgs = List.of("-Djava.io.tmpdir=/tmp", "-D" + GuestLauncher.GUEST_PROPERTY + "=6.12");
            VmSpec spec = VmSpec.of(kernel612, GuestJava.command(saving.accelerator(), jvmArgs,
                            String.join(":", HostClasspath.entries()), GuestLauncher.class.getName(),
                            List.of(request.toString(), events.toString())))
                    .withWorkingDir(work).withWritableDir(results).withTimeout(TIMEOUT);
            Optional<ResidentJvm> resident = ResidentJvm.forLauncher(GuestJava.flags(saving.accelerator()), jvmArgs,
                    HostClasspath.entries(), work, spec.environment(), request, events)
                    .map(jvm -> jvm.from(ResidentJvm.When.SECOND_RUN));
            assertThat(resident).as("the launcher lies outside the working directory").isPresent();

            VmResult result = saving.run(spec, resident, output::add);

            assertThat(result.succeeded()).as(result.describe()).isTrue();
            assertThat(result.start()).isEqualTo(name.equals("third") ? VmResult.Start.RESTORED : VmResult.Start.SAVED);
            String text = Files.readString(events);
            assertThat(text).as(result.describe()).contains("FINISHED\t[engine:junit-jupiter]/[class:"
                    + GuestPasses.class.getName() + "]/[method:passes()]\tSUCCESSFUL");
            // the files the JVM mapped are the ones at their paths: a resident JVM's own, shown over the host's
            assertThat(text).as(result.describe()).contains("FINISHED\t[engine:junit-jupiter]/[class:"
                    + GuestMappedFiles.class.getName() + "]/[method:theFilesThisJvmMappedAreTheOnesAtTheirPaths()]"
                    + "\tSUCCESSFUL");
            if (name.equals("first")) {
                assertThat(text).doesNotContain("resident JVM");
            } else {
                // it discovered the run's class before the guest was saved (ResidentJvm.Training)
                assertThat(text).contains("\tresident JVM (2 test classes discovered before it was saved): hand-off"
                        + " → discovery done ");
            }
        }
        try (var saved = Files.list(temp.resolve("snapshots"))) {
            assertThat(saved.filter(Files::isDirectory).map(dir -> Files.exists(dir.resolve("layer"))))
                    .as("the guest saved without the JVM and the one saved with it").containsExactlyInAnyOrder(false, true);
        }
    }

    /**
     * A resident JVM that cannot start in the bare guest costs one boot: the guest is saved without it and runs, and
     * later runs of the machine restore that guest without trying the JVM again.
     */
    @Test
    void aResidentJvmThatCannotStartLeavesTheGuestSavedWithoutIt(@TempDir Path temp) throws IOException {
        VmRunner saving = runner.withSnapshots(new VmSnapshots(temp.resolve("snapshots")));
        Assumptions.assumeTrue(VmSnapshots.enabled(saving.accelerator()), "KVM guests boot, with no resident JVM");
        Path java = GuestJava.currentJava();
        GuestLayer layer = new GuestLayer().includeJdk(Path.of(System.getProperty("java.home")))
                .includeMappedFiles(java).directory(temp);
        ResidentJvm failing = new ResidentJvm(List.of(java.toString(), "-cp", temp.toString(), "NoSuchLauncher"),
                temp, Map.of("PATH", VmSpec.DEFAULT_PATH), layer, new Properties());
        VmSpec spec = VmSpec.of(kernel612, List.of("sh", "-c", "echo ran as usual")).withTimeout(TIMEOUT);

        VmResult result = saving.run(spec, Optional.of(failing), output::add);

        assertThat(result.succeeded()).as(result.describe()).isTrue();
        assertThat(result.start()).isEqualTo(VmResult.Start.SAVED);
        assertThat(output).containsExactly("ran as usual");

        // the next run of the machine does not boot to try the JVM again: it restores the guest saved without it
        output.clear();
        VmResult next = saving.run(spec, Optional.of(failing), output::add);

        assertThat(next.succeeded()).as(next.describe()).isTrue();
        assertThat(next.start()).isEqualTo(VmResult.Start.RESTORED);
        assertThat(output).containsExactly("ran as usual");
    }

    /**
     * A kernel that panics before the guest could be saved boots once more (a TCG guest's rare boot-time panic must not
     * fail a run nothing of which had started), and a kernel that always panics still ends as a panic.
     */
    @Test
    void aGuestThatPanicsWhileBootingToBeSavedBootsOnceMore(@TempDir Path temp) {
        VmRunner saving = runner.withSnapshots(new VmSnapshots(temp.resolve("snapshots")));
        org.junit.jupiter.api.Assumptions.assumeTrue(VmSnapshots.enabled(saving.accelerator()), "KVM guests boot");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        System.setProperty(VmRunner.EXTRA_APPEND, "rdinit=/bpfunit-no-such-init");
        System.setErr(new java.io.PrintStream(err, true));
        VmResult result;
        try {
            result = saving.run(VmSpec.of(kernel612, List.of("true")).withTimeout(TIMEOUT), output::add);
        } finally {
            System.setErr(stderr);
            System.clearProperty(VmRunner.EXTRA_APPEND);
        }

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.KERNEL_PANIC);
        assertThat(err.toString()).containsOnlyOnce("the guest kernel panicked while booting, before the run started")
                .contains("it boots once more");
        assertThat(temp.resolve("snapshots")).isEmptyDirectory();
    }

    /** A store that cannot be written (here: a directory /proc refuses) costs saving, not the run. */
    @Test
    void bootsWithoutSavingWhenTheStoreCannotBeWritten() {
        VmRunner unsaved = runner.withSnapshots(new VmSnapshots(Path.of("/proc/self/bpfunit-snapshots")));

        VmResult result = unsaved.run(VmSpec.of(kernel61, List.of("uname", "-r")).withTimeout(TIMEOUT), output::add);

        assertThat(result.succeeded()).as(result.describe()).isTrue();
        assertThat(result.start()).isEqualTo(VmResult.Start.BOOTED);
        assertThat(output).containsExactly(kernel61.name());
    }

    private static String digest(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void reportsAKernelPanicWithTheConsoleTail() {
        VmResult result = run(kernel612, "echo about to crash; echo c > /proc/sysrq-trigger; sleep 60", TIMEOUT);

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.KERNEL_PANIC);
        assertThat(result.detail()).contains("Kernel panic - not syncing: sysrq triggered crash");
        assertThat(result.consoleTail()).contains("about to crash")
                .anyMatch(l -> l.contains("Kernel panic - not syncing"));
        assertThat(result.consoleTail().size()).isLessThanOrEqualTo(VmRunner.CONSOLE_TAIL_LINES);
        assertThatThrownBy(result::requireExited).isInstanceOf(VmFailureException.class)
                .hasMessageContaining("guest kernel panicked").hasMessageContaining("--- console (last");
    }

    @Test
    void reportsAGuestThatVanishesWithoutAnExitStatusAsACrash() {
        VmResult result = run(kernel612, "echo going; echo o > /proc/sysrq-trigger; sleep 60", TIMEOUT);

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.GUEST_CRASH);
        assertThat(result.detail()).contains("without the command's exit status").contains("QEMU exited with status 0");
        assertThat(result.consoleTail()).contains("going");
    }

    @Test
    void reportsAHangAsATimeoutAndKillsQemu() {
        VmResult result = run(kernel612, "sleep 1000", Duration.ofSeconds(20));

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.TIMEOUT);
        assertThat(result.elapsed()).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(40));
        assertThat(result.detail()).contains("no result within 20 s");
    }

    @Test
    void reportsAKernelWithout9pAsAFailedBoot() {
        KernelImage bare = new KernelImage("6.12 without modules", kernel612.vmlinuz(), Optional.empty());

        VmResult result = run(bare, "true", TIMEOUT);

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.BOOT_FAILED);
        assertThat(result.detail()).contains("cannot mount the host root over 9p");
        assertThat(result.bootTime()).isEmpty();
        assertThat(output).isEmpty();
    }
}
