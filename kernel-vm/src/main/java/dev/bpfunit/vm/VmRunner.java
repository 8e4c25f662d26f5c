package dev.bpfunit.vm;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a command in a QEMU guest booting a chosen kernel, with the host's root filesystem shared read-only
 * over 9p, and reports how it ended ({@link VmResult}).
 *
 * <p>Each {@link #run} builds an initramfs for the kernel (busybox, its 9p/virtio modules, {@code /init}),
 * starts {@code qemu-system-x86_64} with KVM if it works here, else TCG, streams the command's output as it
 * comes, and returns the command's exit status, or a panic, crash, failed boot or timeout with the console
 * tail. QEMU is killed and the run's temporary directory removed on every path, also when the JVM exits.
 * A runner holds no state between runs and may run several VMs at once from different threads.
 */
public final class VmRunner {
    /** The run directory's file of mounts at host paths, sourced by {@code /init} ({@link #mountsScript}). */
    static final String MOUNTS_SCRIPT = "mounts.sh";
    /**
     * How many console lines a {@link VmResult} keeps: a kernel's panic report alone (the panic line, registers, call
     * trace) runs to about 55 lines on 6.12, so fewer would push out what the guest printed just before it.
     */
    public static final int CONSOLE_TAIL_LINES = 100;
    private static final String PANIC = "Kernel panic - not syncing";
    /** The kernel's last line when {@code /init} ends the guest, not shown as command output. */
    private static final Pattern POWER_DOWN = Pattern.compile("\\[\\s*\\d+\\.\\d+\\] reboot: (Power down|Restarting system)$");
    /** System property: more kernel command-line arguments for every guest ({@code initcall_debug}, say). */
    public static final String EXTRA_APPEND = "bpfunit.vm.append";
    private static final List<Path> BUSYBOX_PLACES = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

    private final Path qemu;
    private final Path busybox;
    private final String rootCache;
    private final boolean verbose;
    private final VmSnapshots snapshots;
    /** The run directory this runner created last (tests check that it is gone once the run ended). */
    private volatile Path lastRunDir;

    /** A runner using {@code qemu-system-x86_64} from the PATH and the host's static busybox. */
    public VmRunner() {
        this(HostTools.onPath("qemu-system-x86_64").orElse(Path.of("qemu-system-x86_64")),
                BUSYBOX_PLACES.stream().filter(Files::isRegularFile).findFirst().orElse(BUSYBOX_PLACES.get(0)));
    }

    /** A runner using the given QEMU executable and static busybox. */
    public VmRunner(Path qemu, Path busybox) {
        this(qemu, busybox, "loose", false, VmSnapshots.inUserCache());
    }

    private VmRunner(Path qemu, Path busybox, String rootCache, boolean verbose, VmSnapshots snapshots) {
        this.qemu = qemu;
        this.busybox = busybox;
        this.rootCache = rootCache;
        this.verbose = verbose;
        this.snapshots = snapshots;
    }

    /** This runner, keeping its saved guests in {@code store} instead of the user's cache (for tests). */
    VmRunner withSnapshots(VmSnapshots store) {
        return new VmRunner(qemu, busybox, rootCache, verbose, store);
    }

    /**
     * This runner, showing the whole boot: all kernel messages (no {@code quiet}) and the console before the
     * command starts go to the output consumer too. For finding out why a guest does not boot.
     */
    public VmRunner verbose() {
        return new VmRunner(qemu, busybox, rootCache, true, snapshots);
    }

    /**
     * This runner with another 9p cache mode for the read-only host root: {@code loose} (the default: the guest
     * caches file contents and metadata, fast, but does not see host files changed during the run) or
     * {@code none} (always asks the host; slower).
     */
    public VmRunner withRootCache(String mode) {
        if (!List.of("loose", "none", "fscache", "mmap").contains(mode)) {
            throw new IllegalArgumentException("9p cache mode '" + mode + "' is not one of loose, none, fscache, mmap");
        }
        return new VmRunner(qemu, busybox, mode, verbose, snapshots);
    }

    /** How guests of this runner execute: KVM if it really works on this host, else TCG (probed once). */
    public Accelerator accelerator() {
        return Accelerator.detect(qemu);
    }

    /**
     * The directory of a {@code vmlinuz-<release>} that also holds its {@code config-<release>} (a Debian package's
     * {@code boot/}, a distribution's {@code /boot}), shown to the guest as its {@code /boot}.
     */
    /** The run directory this runner created last, if any. */
    Optional<Path> lastRunDir() {
        return Optional.ofNullable(lastRunDir);
    }

    /**
     * The run directory's script that {@code /init} sources for the mounts at host paths: one {@code share TAG
     * ro|rw PATH} line per share and, when the kernel came with one, {@code bootdir PATH}. Paths are quoted for the
     * shell, so any path (spaces, quotes, newlines) reaches the guest as it is.
     */
    static String mountsScript(List<QemuCommand.Share> shares, Optional<Path> bootDir) {
        StringBuilder script = new StringBuilder();
        for (QemuCommand.Share share : shares) {
            script.append("share ").append(share.tag()).append(share.readOnly() ? " ro " : " rw ")
                    .append(CommandScript.quote(share.hostPath().toString())).append('\n');
        }
        bootDir.ifPresent(dir -> script.append("bootdir ").append(CommandScript.quote(dir.toString())).append('\n'));
        return script.toString();
    }

    /**
     * Kernel arguments that depend on the host and the kernel: {@code lpj=} (below), then {@link #EXTRA_APPEND}.
     */
    static String guestArguments(KernelImage kernel) {
        Optional<Long> lpj = Optional.empty();
        try {
            Optional<Path> config = kernelBootDir(kernel).map(dir -> dir.resolve("config-"
                    + kernel.vmlinuz().getFileName().toString().substring("vmlinuz-".length())));
            if (config.isPresent()) {
                lpj = presetLpj(Files.readString(config.get()), Files.readString(Path.of("/proc/cpuinfo")));
            }
        } catch (IOException | RuntimeException e) {
            // the guest calibrates its delay loop itself
        }
        String extra = System.getProperty(EXTRA_APPEND, "").strip();
        return (lpj.map(v -> "lpj=" + v + " ").orElse("") + extra).strip();
    }

    private static final Pattern CONFIG_HZ = Pattern.compile("(?m)^CONFIG_HZ=(\\d+)$");
    private static final Pattern CPU_MHZ = Pattern.compile("(?m)^cpu MHz\\s*:\\s*(\\d+(?:\\.\\d+)?)$");

    /**
     * The loops per jiffy that spare each guest CPU its delay-loop calibration (under TCG the second CPU's
     * calibration fails after 0.7 s, "calibrate_delay_direct() failed to get a good estimate"): the guest's TSC
     * runs at the host's rate, and the kernel takes lpj = TSC Hz / {@code CONFIG_HZ}. Empty when the kernel's
     * configuration or the host's {@code cpu MHz} is not known.
     */
    static Optional<Long> presetLpj(String kernelConfig, String cpuinfo) {
        Matcher hz = CONFIG_HZ.matcher(kernelConfig);
        Matcher mhz = CPU_MHZ.matcher(cpuinfo);
        if (!hz.find() || !mhz.find()) {
            return Optional.empty();
        }
        long perSecond = Math.round(Double.parseDouble(mhz.group(1)) * 1_000_000);
        long jiffiesPerSecond = Long.parseLong(hz.group(1));
        return perSecond > 0 && jiffiesPerSecond > 0 ? Optional.of(perSecond / jiffiesPerSecond) : Optional.empty();
    }

    static Optional<Path> kernelBootDir(KernelImage kernel) {
        Path vmlinuz = kernel.vmlinuz().toAbsolutePath().normalize();
        String file = vmlinuz.getFileName().toString();
        Path dir = vmlinuz.getParent();
        if (!file.startsWith("vmlinuz-") || dir == null
                || !Files.isRegularFile(dir.resolve("config-" + file.substring("vmlinuz-".length())))) {
            return Optional.empty();
        }
        return Optional.of(dir);
    }

    /** Runs the command, keeping its output only in the result's console tail. */
    public VmResult run(VmSpec spec) {
        return run(spec, line -> { });
    }

    /**
     * Runs the command in a fresh guest and returns how it ended. {@code output} receives the guest console's
     * lines from the start of the command on (the command's stdout and stderr, and kernel messages), as they come,
     * on another thread.
     *
     * @throws VmException if the VM cannot be set up (no QEMU, a kernel without the 9p modules, a missing
     *                     writable directory); how the guest itself failed is reported in the result
     */
    public VmResult run(VmSpec spec, Consumer<String> output) {
        return run(spec, Optional.empty(), output);
    }

    /**
     * Runs as {@link #run(VmSpec, Consumer)} does; when this guest is saved and restored ({@link VmSnapshots}) and
     * {@code resident} is given, the saved guest holds that JVM, started before the save, and the restored guest hands
     * it the run instead of running the spec's command.
     */
    VmResult run(VmSpec spec, Optional<ResidentJvm> residentJvm, Consumer<String> output) {
        if (!Files.isExecutable(qemu)) {
            throw new VmException("QEMU " + qemu + " is not an executable file; install the Debian package"
                    + " qemu-system-x86 or give its path to new VmRunner(qemu, busybox)");
        }
        for (Path dir : spec.writableDirs()) {
            if (!Files.isDirectory(dir)) {
                throw new VmException("writable directory " + dir + " for the VM does not exist; create it first");
            }
        }
        Path runDir = null;
        Launch launch = null;
        try {
            runDir = Files.createTempDirectory("bpfunit-vm-");
            lastRunDir = runDir;
            // uncompressed: gunzip in the guest costs more under TCG than reading the bytes over fw_cfg
            Accelerator accel = accelerator();
            Path qmpSocket = runDir.resolve("qmp.sock");
            VmSnapshots snapshots = VmSnapshots.enabled(accel) && qmpSocket.toString().length() <= Qmp.MAX_SOCKET_PATH
                    ? this.snapshots : null;
            Optional<ResidentJvm> resident = snapshots == null ? Optional.empty() : residentJvm;
            Path initrd = runDir.resolve("initramfs.cpio");
            GuestInit.initramfs(spec.kernel(), busybox, spec.extraModules(), rootCache,
                    resident.map(ResidentJvm::startScript)).write(initrd);
            if (resident.isPresent()) {
                Files.writeString(runDir.resolve(ResidentJvm.HAND_OFF), resident.get().handOffText());
            }
            List<QemuCommand.Share> shares = new ArrayList<>();
            shares.add(new QemuCommand.Share("hostroot", Path.of("/"), true));
            shares.add(new QemuCommand.Share("bpfunit", runDir, false));
            List<QemuCommand.Share> atHostPaths = new ArrayList<>();
            // The guest mounts tmpfs on /tmp and /run: a working tree there (a CI clone in /tmp, say) is shown
            // again, read-only, from its top directory, before the writable shares that may lie inside it.
            Optional<Path> treeTop = shadowedTop(spec.workingDir());
            treeTop.ifPresent(top -> atHostPaths.add(new QemuCommand.Share("tree", top, true)));
            // the same for the kernel's package (its /boot), when the kernel cache is there ($XDG_CACHE_HOME in /tmp)
            Optional<Path> bootDir = kernelBootDir(spec.kernel());
            bootDir.flatMap(VmRunner::shadowedTop).filter(top -> treeTop.map(t -> !top.startsWith(t)).orElse(true))
                    .ifPresent(top -> atHostPaths.add(new QemuCommand.Share("kernels", top, true)));
            for (int i = 0; i < spec.writableDirs().size(); i++) {
                atHostPaths.add(new QemuCommand.Share("share" + i, spec.writableDirs().get(i), false));
            }
            shares.addAll(atHostPaths);
            Files.writeString(runDir.resolve(MOUNTS_SCRIPT), mountsScript(atHostPaths, bootDir));
            Files.writeString(runDir.resolve("command.sh"), commandScript(spec));
            Path kernel = PvhKernel.of(spec.kernel().vmlinuz()).orElse(spec.kernel().vmlinuz());
            String arguments = guestArguments(spec.kernel());
            if (snapshots != null) {
                arguments = (arguments + " " + VmSnapshots.WAIT_ARGUMENT).strip();
            }
            QemuCommand command = new QemuCommand(qemu, accel, spec.memoryMiB(), spec.cpus(),
                    kernel, initrd, QemuCommand.append(verbose, arguments), shares);
            Path stderr = runDir.resolve("qemu.stderr");

            long start = System.nanoTime();
            long deadline = start + spec.timeout().toNanos();
            launch = new Launch(command, resident, stderr, output, start, deadline);
            VmResult.Start how = snapshots == null ? launch.boot(false) : launch.fromSnapshot(snapshots, qmpSocket);
            Process process = launch.current.process;

            long left = Math.max(0, deadline - System.nanoTime());
            boolean finished = process.waitFor(left, TimeUnit.NANOSECONDS);
            if (!finished) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            launch.current.reader.join(5000);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return outcome(spec, finished, process, launch.current.console, elapsed, runDir, stderr, how);
        } catch (IOException e) {
            throw new VmException("cannot prepare a VM for " + spec.kernel() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while running a VM with " + spec.kernel(), e);
        } finally {
            if (launch != null && launch.current != null) {
                launch.current.kill();
            }
            FileTrees.deleteQuietly(runDir);
        }
    }

    private static VmResult outcome(VmSpec spec, boolean finished, Process process, Console console,
                                    Duration elapsed, Path runDir, Path stderr, VmResult.Start how)
            throws IOException {
        List<String> tail = console.tail();
        Optional<Duration> boot = console.bootTime();
        if (!finished) {
            return new VmResult(VmResult.Outcome.TIMEOUT, -1, tail, boot, elapsed, "no result within "
                    + spec.timeout().toSeconds() + " s (" + spec.kernel() + ", command " + spec.command()
                    + (boot.isEmpty() ? ", still booting" : "") + "); QEMU was killed", how);
        }
        Path exitFile = runDir.resolve("exit-code");
        if (Files.isRegularFile(exitFile)) {
            String text = Files.readString(exitFile).trim();
            try {
                return new VmResult(VmResult.Outcome.EXITED, Integer.parseInt(text), tail, boot, elapsed, "", how);
            } catch (NumberFormatException e) {
                return new VmResult(VmResult.Outcome.GUEST_CRASH, -1, tail, boot, elapsed,
                        "the guest wrote a malformed exit status '" + text + "'", how);
            }
        }
        String qemuErrors = Files.isRegularFile(stderr) ? lastLines(Files.readString(stderr), 10) : "";
        String qemuExit = "QEMU exited with status " + process.exitValue()
                + (qemuErrors.isEmpty() ? "" : "; its errors:\n" + qemuErrors);
        if (console.panicLine() != null) {
            return new VmResult(VmResult.Outcome.KERNEL_PANIC, -1, tail, boot, elapsed,
                    console.panicLine().strip() + " (" + spec.kernel() + ")", how);
        }
        if (boot.isEmpty()) {
            String why = console.initError() != null ? console.initError()
                    : "the guest stopped before starting the command";
            return new VmResult(VmResult.Outcome.BOOT_FAILED, -1, tail, boot, elapsed,
                    why + " (" + spec.kernel() + "); " + qemuExit, how);
        }
        return new VmResult(VmResult.Outcome.GUEST_CRASH, -1, tail, boot, elapsed,
                "the guest stopped without the command's exit status (" + spec.kernel() + "); " + qemuExit, how);
    }

    private static List<String> withQmp(List<String> arguments, Path socket) {
        List<String> all = new ArrayList<>(arguments);
        all.addAll(List.of(Qmp.arguments(socket)));
        return all;
    }

    /**
     * How one run's guest gets to its command: booted, or through a saved guest ({@link VmSnapshots}). {@link #current}
     * is the QEMU running now, which the run kills on every path.
     */
    private final class Launch {
        private final QemuCommand command;
        /** The JVM to save with the guest; emptied when it could not start. */
        private Optional<ResidentJvm> resident;
        /** {@link #keyWith}'s keys by layer manifest. */
        private final Map<String, String> keys = new HashMap<>();
        private final Path stderr;
        private final Consumer<String> output;
        private final long start;
        private final long deadline;
        Guest current;

        Launch(QemuCommand command, Optional<ResidentJvm> resident, Path stderr, Consumer<String> output, long start,
               long deadline) {
            this.command = command;
            this.resident = resident;
            this.stderr = stderr;
            this.output = output;
            this.start = start;
            this.deadline = deadline;
        }

        /** Boots the kernel; {@code waits}: the guest waits for its go line, sent once it is ready. */
        VmResult.Start boot(boolean waits) throws InterruptedException {
            current = Guest.start(command.arguments(), stderr, output, start, verbose);
            if (waits && current.console.awaitReady(current.process, deadline)) {
                current.go();
            }
            return VmResult.Start.BOOTED;
        }

        /** Boots as {@link #boot} does, after saying on stderr why this guest is not saved. */
        private VmResult.Start bootWithoutSaving(String why) throws InterruptedException {
            System.err.println("bpfunit-vm: " + why + "; it boots without saving (-D" + VmSnapshots.PROPERTY
                    + "=false skips this)");
            return boot(true);
        }

        /** QEMU's last lines of error output on one line, {@code ""} when it wrote none. */
        private String qemuErrors() throws IOException {
            return Files.isRegularFile(stderr) ? lastLines(Files.readString(stderr), 3).replace('\n', ' ') : "";
        }

        /**
         * Restores the store's snapshot of this machine, saving one first (booted with its memory in a file) when
         * there is none; boots when that cannot be done, saying why on stderr.
         */
        VmResult.Start fromSnapshot(VmSnapshots store, Path qmpSocket) throws IOException, InterruptedException {
            String key = key();
            Optional<VmSnapshots.Snapshot> saved = store.find(key);
            if (saved.isEmpty() && resident.isPresent() && (store.refused(key)
                    || (resident.get().when() == ResidentJvm.When.SECOND_RUN
                    && !store.contains(keyWith(""))))) {
                // the machine's first run: saved without the JVM, and the run that finds that snapshot saves it with
                // one; or a JVM that could not start in this machine before: not tried again
                resident = Optional.empty();
                key = key();
                saved = store.find(key);
            }
            boolean savedNow = false;
            for (int attempt = 1; saved.isEmpty(); attempt++) {
                VmSnapshots.Saving saving;
                try {
                    saving = store.saving(key, layerManifest());
                } catch (IOException e) {
                    return bootWithoutSaving("cannot save guests in " + store.dir() + " (" + e + ")");
                }
                List<String> arguments = withQmp(savingCommand().arguments(), qmpSocket);
                arguments.addAll(VmSnapshots.savingArguments(saving, command.memoryMiB()));
                current = Guest.start(arguments, stderr, output, start, verbose);
                saved = save(store, saving, qmpSocket);
                if (saved.isPresent()) {
                    savedNow = true;
                } else if (current.startFailed()) {
                    // QEMU refused the file-backed memory (a filesystem without shared mappings, say)
                    current.kill();
                    return bootWithoutSaving("cannot start a guest to save in " + store.dir() + " (QEMU: "
                            + qemuErrors() + ")");
                } else if (resident.isPresent() && current.residentFailed()) {
                    // a JVM that cannot start in the bare guest must not cost the run, nor the next ones: the guest is
                    // saved without it, and later runs of this machine do not try it again
                    System.err.println("bpfunit-vm: " + current.console.initError() + "; the guest is saved without"
                            + " a resident JVM and runs the command as usual, and later runs of this machine do not"
                            + " try one again (-D" + BpfKernels.RESIDENT + "=false skips trying)");
                    current.kill();
                    Files.deleteIfExists(qmpSocket);
                    store.refuse(key);
                    resident = Optional.empty();
                    key = key();
                    saved = store.find(key);
                } else if (attempt == 1 && current.panickedWhileBooting()) {
                    // nothing of the run has started; a kernel that always panics fails the second boot
                    System.err.println("bpfunit-vm: the guest kernel panicked while booting, before the run started ("
                            + current.console.panicLine().strip() + "); it boots once more");
                    current.kill();
                    Files.deleteIfExists(qmpSocket);
                } else {
                    return VmResult.Start.BOOTED; // it goes on, or ended: its outcome says how
                }
            }
            if (!restore(saved.get(), qmpSocket)) {
                store.discard(key);
                return boot(true);
            }
            return savedNow ? VmResult.Start.SAVED : VmResult.Start.RESTORED;
        }

        /** The snapshot key of this machine, with the resident JVM's files when it has one. */
        private String key() throws IOException {
            return keyWith(layerManifest());
        }

        /**
         * {@link VmSnapshots#key} of this machine with {@code layer}, computed once per layer: it reads and hashes the
         * whole initramfs, and a run asks for the same key up to three times (with and without the JVM, and again).
         */
        private String keyWith(String layer) throws IOException {
            String key = keys.get(layer);
            if (key == null) {
                key = VmSnapshots.key(command, layer);
                keys.put(layer, key);
            }
            return key;
        }

        /** The resident JVM's files ({@link GuestLayer#manifest()}), {@code ""} without one. */
        private String layerManifest() {
            return resident.map(r -> r.layer().manifest()).orElse("");
        }

        /**
         * The machine to boot and save: with a resident JVM, its initramfs is followed by the JVM's layer (written
         * next to it for this boot only: a restored guest has the files in its memory already).
         */
        private QemuCommand savingCommand() throws IOException {
            if (resident.isEmpty()) {
                return command;
            }
            Path withLayer = command.initrd().resolveSibling("initramfs-resident.cpio");
            if (!Files.exists(withLayer)) {
                // its class-data archive, dumped now if the cache has none: only a guest saved with the JVM needs it
                resident.get().classData().get()
                        .ifPresent(archive -> resident.get().layer().derivedFile(ResidentJvm.ARCHIVE, archive));
                try {
                    resident.get().training().addTo(resident.get().layer(), withLayer.resolveSibling("training"));
                } catch (IOException | RuntimeException e) {
                    System.err.println("bpfunit-vm: the resident JVM is saved without discovering the tests first"
                            + " (cannot pack their classes: " + e + ")");
                }
                Files.copy(command.initrd(), withLayer);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(withLayer,
                        StandardOpenOption.APPEND), 1 << 16)) {
                    resident.get().layer().writeTo(out);
                }
            }
            return command.withInitrd(withLayer);
        }

        /**
         * Starts QEMU restoring {@code snapshot} and sends the guest its go line once it runs; false (QEMU killed, the
         * reason printed) when QEMU cannot restore it.
         */
        private boolean restore(VmSnapshots.Snapshot snapshot, Path qmpSocket) throws IOException {
            Files.deleteIfExists(qmpSocket);
            List<String> arguments = withQmp(command.arguments(), qmpSocket);
            arguments.addAll(VmSnapshots.restoreArguments(snapshot, command.memoryMiB()));
            current = Guest.start(arguments, stderr, output, start, verbose);
            try (Qmp qmp = Qmp.connect(qmpSocket, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                    current.process::isAlive)) {
                VmSnapshots.load(qmp, snapshot, deadline);
                current.go();
                return true;
            } catch (IOException e) {
                current.kill();
                String errors = qemuErrors();
                System.err.println("bpfunit-vm: cannot restore the saved guest " + snapshot.dir() + " ("
                        + e.getMessage() + (errors.isEmpty() ? "" : "; QEMU: " + errors)
                        + "); it is deleted and the kernel boots instead");
                return false;
            }
        }

        /**
         * Waits for the booting guest to be ready to be saved, saves it and ends its QEMU: the snapshot, for the
         * caller to restore. Empty when the guest ended or ran out of time first, or could not be saved: then it
         * goes on as it is (the reason printed) and its memory file is deleted once unused.
         */
        private Optional<VmSnapshots.Snapshot> save(VmSnapshots store, VmSnapshots.Saving saving, Path qmpSocket)
                throws InterruptedException {
            if (!current.console.awaitReady(current.process, deadline)) {
                VmSnapshots.abandon(saving);
                return Optional.empty();
            }
            try (Qmp qmp = Qmp.connect(qmpSocket, Duration.ofSeconds(10), current.process::isAlive)) {
                try {
                    VmSnapshots.save(qmp, saving);
                } catch (IOException e) {
                    System.err.println("bpfunit-vm: could not save the guest for later runs to restore ("
                            + e.getMessage() + "); this run goes on");
                    qmp.execute("{\"execute\":\"cont\"}");
                    VmSnapshots.abandon(saving); // QEMU keeps its mapping of the memory file
                    current.go();
                    return Optional.empty();
                }
            } catch (IOException e) {
                VmSnapshots.abandon(saving);
                current.go();
                return Optional.empty();
            }
            current.kill();
            try {
                return Optional.of(store.commit(saving));
            } catch (IOException e) {
                VmSnapshots.abandon(saving);
                // the caller finds this guest running, neither failed to start nor panicked
                bootWithoutSaving("cannot keep the saved guest in " + store.dir() + " (" + e + ")");
                return Optional.empty();
            }
        }
    }

    /** One QEMU process: its console reader and the shutdown hook that kills it if the JVM exits first. */
    private static final class Guest {
        final Process process;
        final Console console;
        final Thread reader;
        final Thread hook;

        private Guest(Process process, Console console, Thread reader, Thread hook) {
            this.process = process;
            this.console = console;
            this.reader = reader;
            this.hook = hook;
        }

        static Guest start(List<String> arguments, Path stderr, Consumer<String> output, long start,
                           boolean verbose) {
            Process process;
            try {
                // the console's input is a pipe: a guest waiting to be saved reads its go line from it
                process = new ProcessBuilder(arguments).redirectError(stderr.toFile()).start();
            } catch (IOException e) {
                throw new VmException("cannot start " + arguments.get(0) + ": " + e.getMessage(), e);
            }
            Thread hook = new Thread(process::destroyForcibly, "bpfunit-vm-kill-qemu");
            Runtime.getRuntime().addShutdownHook(hook);
            Console console = new Console(process.getInputStream(), output, start, verbose);
            Thread reader = new Thread(console::pump, "bpfunit-vm-console");
            reader.setDaemon(true);
            reader.start();
            return new Guest(process, console, reader, hook);
        }

        /** True when QEMU ended with an error before the guest printed anything: it never ran. */
        boolean startFailed() throws InterruptedException {
            if (process.isAlive() || process.exitValue() == 0) {
                return false;
            }
            reader.join(2000); // what QEMU printed is read
            return console.tail().isEmpty();
        }

        /**
         * True when the kernel panicked before {@code /init} was ready to be saved: under TCG a 6.12 guest with two
         * CPUs has panicked this way now and then ({@code Oops: int3} in code the kernel was patching at boot).
         */
        boolean panickedWhileBooting() throws InterruptedException {
            return endedBeforeReady() && console.panicLine() != null;
        }

        /** True when the guest ended because its resident JVM ended before it was ready to be saved. */
        boolean residentFailed() throws InterruptedException {
            return endedBeforeReady() && console.initError() != null
                    && console.initError().startsWith(ResidentJvm.FAILED);
        }

        /** True when QEMU ended before the guest was ready to be saved (its console read to the end). */
        private boolean endedBeforeReady() throws InterruptedException {
            if (process.isAlive()) {
                return false;
            }
            reader.join(2000);
            return !console.isReady();
        }

        /** Sends the waiting guest its go line (nothing when QEMU has ended). */
        void go() {
            try {
                process.getOutputStream().write(VmSnapshots.goLine().getBytes(StandardCharsets.US_ASCII));
                process.getOutputStream().flush();
            } catch (IOException ignored) {
                // QEMU ended; its outcome says how
            }
        }

        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down; the hook kills QEMU
            }
        }
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** The script the guest's {@code /init} runs chrooted in the host root: working directory, environment, command. */
    static String commandScript(VmSpec spec) {
        return CommandScript.of("", spec.workingDir(), spec.environment(), spec.command());
    }

    /** Reads the guest console, keeps its tail, spots the start marker, panics and init errors. */
    private static final class Console {
        private final InputStream in;
        private final Consumer<String> output;
        private final long start;
        private final boolean showBoot;
        private final Deque<String> tail = new ArrayDeque<>();
        private volatile Duration bootTime;
        private volatile String panicLine;
        private volatile String initError;
        private volatile RuntimeException outputError;
        private final CountDownLatch ready = new CountDownLatch(1);

        Console(InputStream in, Consumer<String> output, long start, boolean showBoot) {
            this.in = in;
            this.output = output;
            this.start = start;
            this.showBoot = showBoot;
        }

        void pump() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try (in) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            accept(line);
                        } else if (buf[i] != '\r') {
                            line.write(buf[i]);
                        }
                    }
                }
            } catch (IOException ignored) {
                // QEMU was killed; the stream is closed
            }
            if (line.size() > 0) {
                accept(line);
            }
        }

        private void accept(ByteArrayOutputStream bytes) {
            String text = bytes.toString(StandardCharsets.UTF_8);
            bytes.reset();
            if (bootTime == null && text.equals(VmSnapshots.READY_MARKER)) {
                ready.countDown();
                return;
            }
            if (bootTime == null && text.equals(GuestInit.START_MARKER)) {
                bootTime = Duration.ofNanos(System.nanoTime() - start);
                return;
            }
            synchronized (tail) {
                tail.addLast(text);
                if (tail.size() > CONSOLE_TAIL_LINES) {
                    tail.removeFirst();
                }
            }
            if (panicLine == null && text.contains(PANIC)) {
                panicLine = text.substring(text.indexOf(PANIC));
            }
            if (bootTime == null && initError == null && text.startsWith("bpfunit-vm: ")
                    && !text.startsWith("bpfunit-vm: warning:")) {
                initError = text.substring("bpfunit-vm: ".length());
            }
            Matcher powerDown = POWER_DOWN.matcher(text);
            String shown = powerDown.find() ? text.substring(0, powerDown.start()) : text;
            if ((bootTime != null || showBoot) && outputError == null && !shown.isEmpty()) {
                try {
                    output.accept(shown);
                } catch (RuntimeException e) {
                    outputError = e; // keep draining the console so the guest is not blocked
                }
            }
        }

        boolean isReady() {
            return ready.getCount() == 0;
        }

        /** Waits until the guest says it is ready to be saved; false if QEMU ended or the deadline passed first. */
        boolean awaitReady(Process process, long deadline) throws InterruptedException {
            while (!ready.await(20, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    return ready.getCount() == 0;
                }
            }
            return true;
        }

        List<String> tail() {
            synchronized (tail) {
                return List.copyOf(tail);
            }
        }

        Optional<Duration> bootTime() {
            return Optional.ofNullable(bootTime);
        }

        String panicLine() {
            return panicLine;
        }

        String initError() {
            return initError;
        }
    }

    /** Directories the guest covers with a tmpfs of its own. */
    static final List<Path> GUEST_TMPFS = List.of(Path.of("/tmp"), Path.of("/run"));

    /** For a directory under one of {@link #GUEST_TMPFS}: its top directory there ({@code /tmp/ci} for {@code /tmp/ci/a/b}). */
    static java.util.Optional<Path> shadowedTop(Path dir) {
        if (dir == null) {
            return java.util.Optional.empty();
        }
        Path abs = dir.toAbsolutePath().normalize();
        for (Path tmpfs : GUEST_TMPFS) {
            if (abs.startsWith(tmpfs) && abs.getNameCount() > tmpfs.getNameCount()) {
                return java.util.Optional.of(tmpfs.resolve(abs.getName(tmpfs.getNameCount())));
            }
        }
        return java.util.Optional.empty();
    }
}
