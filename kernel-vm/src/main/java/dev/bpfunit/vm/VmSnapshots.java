package dev.bpfunit.vm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Saved guests: a QEMU guest stopped right after its kernel booted and {@code /init} loaded its modules, before
 * anything of the host is mounted, so that later runs of the same machine restore it (about 0.3 s) instead of
 * booting the kernel again (3 s and more under TCG).
 *
 * <p>A guest booted with {@link #WAIT_ARGUMENT} on its kernel command line prints {@link #READY_MARKER} at that
 * point and waits for a {@code go <UTC date and time>} line on its console. The first run of a machine boots it with
 * its RAM in a file mapped shared, stops it there, writes its devices' state (QEMU's migration stream, the RAM left
 * out with {@code x-ignore-shared}), ends that QEMU and restores the snapshot like any later run: a new QEMU maps the
 * memory file privately (the guest's writes never reach it; only the pages the guest touches are read, where loading
 * RAM from the stream would touch all of it), loads the devices' state ({@code -incoming defer}, then
 * {@code migrate-incoming}), continues the guest and sends the go line, with which {@code /init} sets the clock.
 * A 9p share blocks QEMU's migration once the guest mounts it: the guest mounts nothing before the line, and the host
 * directories behind the shares may differ from run to run (only their tags and order are part of the machine).
 *
 * <p>A snapshot is keyed by everything that makes the machine: QEMU (its path, size and modification time), the
 * accelerator and CPU model, memory, CPUs, the kernel image, the initramfs's bytes, the kernel command line (but
 * {@code lpj=}) and the shares' tags and modes. The store keeps the {@link #KEPT} most recently used snapshots (a
 * sparse memory file holding the 100 MB or so a booted guest wrote, and about 0.5 MB of devices' state), of them at
 * most {@link #KEPT_RESIDENT} with a resident JVM (about 600 MB each: its JDK and jars are in the guest's memory), and
 * deletes older ones. A snapshot QEMU cannot load is deleted and the guest boots. Only TCG guests use snapshots (a KVM guest
 * boots in about a second); {@link #PROPERTY} {@code =false} turns them off.
 */
final class VmSnapshots {
    /** System property: {@code false} boots every guest (default {@code true}: TCG guests are restored). */
    static final String PROPERTY = "bpfunit.vm.snapshots";
    /** The kernel command-line argument that makes {@code /init} wait to be saved (see the class comment). */
    static final String WAIT_ARGUMENT = "bpfunit.snapshot=wait";
    /** Printed by {@code /init} when it waits for the host's {@code go} line. */
    static final String READY_MARKER = "bpfunit-vm: ---- ready to be saved ----";
    /** How many snapshots the store keeps (each holds the memory the guest had written: tens of MB). */
    static final int KEPT = 8;
    /** How many of those may hold a {@link ResidentJvm} (about 600 MB each). */
    static final int KEPT_RESIDENT = 3;
    /** Changes whenever what a guest does before {@link #READY_MARKER} changes in a way the key does not see. */
    private static final String FORMAT = "3";
    private static final String DEVICES = "devices";
    private static final String MEMORY = "memory";
    /** In a snapshot with a resident JVM: the {@link GuestLayer#manifest()} of its files. */
    private static final String LAYER = "layer";
    /**
     * The name ending of a file that says the machine of its key (with a resident JVM) cannot be saved: its JVM ended
     * before it was ready ({@link #refuse}).
     */
    private static final String REFUSED = ".refused";
    /** How long a {@link #REFUSED} file is kept: a machine's key changes with its JDK, jars and flags anyway. */
    private static final Duration REFUSAL_KEPT = Duration.ofDays(7);
    /** In the name of a directory a guest is being saved to. */
    private static final String PARTIAL_INFIX = "saving-";
    /** The id of the guest's RAM backend: part of the machine (the RAM block's name in the saved state). */
    private static final String MEMORY_ID = "bpfunit-ram";
    /** Leaves the shared (file-backed) RAM out of the migration stream: the memory file holds it. */
    private static final String IGNORE_SHARED = "{\"execute\":\"migrate-set-capabilities\",\"arguments\":"
            + "{\"capabilities\":[{\"capability\":\"x-ignore-shared\",\"state\":true}]}}";
    /** How long saving a guest may take before the run goes on without a snapshot. */
    static final Duration SAVE_TIMEOUT = Duration.ofSeconds(60);

    private static final Pattern LPJ = Pattern.compile("(^| )lpj=\\d+(?= |$)");
    private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private final Path dir;

    VmSnapshots(Path dir) {
        this.dir = dir;
    }

    /** The store in {@code ${XDG_CACHE_HOME:-~/.cache}/bpfunit/snapshots}. */
    static VmSnapshots inUserCache() {
        return new VmSnapshots(DebianKernels.userCacheDir().resolve("snapshots"));
    }

    /** Whether guests on {@code accel} are saved and restored, as {@link #PROPERTY} says. */
    static boolean enabled(Accelerator accel) {
        return accel == Accelerator.TCG && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").strip());
    }

    Path dir() {
        return dir;
    }

    /**
     * The key of the machine {@code command} describes (its command line must carry {@link #WAIT_ARGUMENT}): a hex
     * digest of everything the saved state depends on, not of the shares' host directories.
     */
    static String key(QemuCommand command) throws IOException {
        return key(command, "");
    }

    /**
     * The key of the machine {@code command} describes with {@code layer} (a {@link GuestLayer#manifest()}: the files a
     * resident JVM brings, which the initramfs the key reads does not hold) added.
     */
    static String key(QemuCommand command, String layer) throws IOException {
        MessageDigest digest = CacheKeys.sha256();
        StringBuilder machine = new StringBuilder("format ").append(FORMAT).append('\n');
        identify("qemu", command.qemu(), machine);
        machine.append("accel ").append(command.accelOption()).append(' ').append(command.accel().cpuModel())
                .append('\n');
        machine.append("memory ").append(command.memoryMiB()).append(" cpus ").append(command.cpus()).append('\n');
        identify("kernel", command.kernel(), machine);
        // lpj= follows the host's current clock rate (VmRunner.presetLpj), which varies from read to read; a
        // restored guest keeps the delay loop it was saved with
        machine.append("append ").append(LPJ.matcher(command.append()).replaceAll("")).append('\n');
        for (QemuCommand.Share share : command.shares()) {
            machine.append("share ").append(share.tag()).append(share.readOnly() ? " ro" : " rw").append('\n');
        }
        if (!layer.isEmpty()) {
            machine.append("layer\n").append(layer);
        }
        digest.update(machine.toString().getBytes(StandardCharsets.UTF_8));
        try (InputStream in = Files.newInputStream(command.initrd())) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return CacheKeys.hex(digest, 16);
    }

    /**
     * A saved guest, in a directory of its own: its memory (a sparse file of the guest's RAM, mapped privately by each
     * restoring QEMU, so restoring reads only the pages the guest uses) and its devices' state (QEMU's migration
     * stream without RAM). The two belong together: each boot lays out memory its own way (KASLR).
     */
    record Snapshot(Path dir) {
        Path memory() {
            return dir.resolve(MEMORY);
        }

        Path devices() {
            return dir.resolve(DEVICES);
        }
    }

    /** A guest being saved under {@code key}: a directory of the store's own, renamed into place when complete. */
    record Saving(String key, Snapshot files) {
        Path memory() {
            return files.memory();
        }

        Path devices() {
            return files.devices();
        }
    }

    /** Whether the store has a saved guest for {@code key} (without marking it used). */
    boolean contains(String key) {
        Snapshot snapshot = new Snapshot(dir.resolve(key));
        return Files.isRegularFile(snapshot.devices()) && Files.isRegularFile(snapshot.memory());
    }

    /**
     * Records that the machine {@code key} names cannot be saved (its resident JVM ended before it was ready), so
     * that later runs of it do not boot to try again; best effort.
     */
    void refuse(String key) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(key + REFUSED), "the resident JVM ended before it was ready\n");
        } catch (IOException ignored) {
            // a store that cannot be written tries again next time
        }
    }

    /** Whether {@link #refuse} was said of {@code key} (and {@link #prune} has not deleted it since). */
    boolean refused(String key) {
        return Files.isRegularFile(dir.resolve(key + REFUSED));
    }

    /** The saved guest for {@code key}, if the store has one; marks it used. */
    Optional<Snapshot> find(String key) {
        if (!contains(key)) {
            return Optional.empty();
        }
        Snapshot snapshot = new Snapshot(dir.resolve(key));
        try {
            Files.setLastModifiedTime(snapshot.dir(), FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // a read-only cache still serves
        }
        return Optional.of(snapshot);
    }

    /**
     * Deletes the snapshot for {@code key} (one QEMU could not restore, or an old one). A QEMU restoring it at the
     * same time keeps its mapping of the memory; one that has not read the devices' state yet fails and boots.
     */
    void discard(String key) {
        FileTrees.deleteQuietly(dir.resolve(key));
    }

    /** A directory for saving the guest {@code key} names, in the store (on the same filesystem). */
    Saving saving(String key) throws IOException {
        return saving(key, "");
    }

    /**
     * A directory for saving the guest {@code key} names with a resident JVM whose files {@code layer} (a
     * {@link GuestLayer#manifest()}, empty for none) lists: kept with it, it marks the snapshot as one of the
     * {@link #KEPT_RESIDENT}.
     */
    Saving saving(String key, String layer) throws IOException {
        Files.createDirectories(dir);
        Snapshot files = new Snapshot(Files.createTempDirectory(dir, key + "-" + PARTIAL_INFIX));
        Files.createFile(files.memory());
        if (!layer.isEmpty()) {
            Files.writeString(files.dir().resolve(LAYER), layer);
        }
        return new Saving(key, files);
    }

    /**
     * The QEMU arguments of a guest about to be saved: its RAM is {@code saving}'s memory file, mapped shared, so
     * that the file holds the guest's memory when it is stopped.
     */
    static List<String> savingArguments(Saving saving, int memoryMiB) {
        return memoryArguments(saving.memory(), memoryMiB, true);
    }

    /**
     * Saves the guest {@code qmp} controls, which waits at {@link #READY_MARKER} with {@link #savingArguments}:
     * stops it and writes its devices' state (its memory is in its memory file already). The guest stays stopped;
     * the caller ends its QEMU and {@link #commit}s, or {@link #abandon}s and continues it.
     *
     * @throws IOException if QEMU could not save it
     */
    static void save(Qmp qmp, Saving saving) throws IOException {
        qmp.execute("{\"execute\":\"stop\"}");
        qmp.execute(IGNORE_SHARED);
        qmp.migrateTo("cat > " + CommandScript.quote(saving.devices().toString()), SAVE_TIMEOUT);
    }

    /**
     * Makes a saved guest (its QEMU ended) the store's snapshot for its key, by renaming its directory: a snapshot is
     * never found half written. When another run of the same machine saved one first, that one is kept.
     */
    Snapshot commit(Saving saving) throws IOException {
        Snapshot snapshot = new Snapshot(dir.resolve(saving.key()));
        try {
            Files.move(saving.files().dir(), snapshot.dir(), StandardCopyOption.ATOMIC_MOVE);
        } catch (FileSystemException e) {
            if (!Files.isDirectory(snapshot.dir())) {
                throw e;
            }
            abandon(saving); // rename(2) does not replace a directory that has files (ENOTEMPTY)
        }
        prune();
        return snapshot;
    }

    /** Deletes what saving wrote (the guest could not be saved, or it ran on from its memory file). */
    static void abandon(Saving saving) {
        FileTrees.deleteQuietly(saving.files().dir());
    }

    /**
     * The QEMU arguments that restore {@code snapshot} instead of booting: its memory file mapped privately (the
     * guest's writes never reach the file) and the devices' state loaded by {@link #load} through QMP.
     */
    static List<String> restoreArguments(Snapshot snapshot, int memoryMiB) {
        List<String> arguments = new ArrayList<>(memoryArguments(snapshot.memory(), memoryMiB, false));
        arguments.addAll(List.of("-incoming", "defer"));
        return arguments;
    }

    /**
     * Loads {@code snapshot}'s devices into the QEMU started with {@link #restoreArguments} and starts the guest.
     *
     * @throws IOException if QEMU cannot load it (its reason in the message) or it does not load by {@code deadline}
     */
    static void load(Qmp qmp, Snapshot snapshot, long deadline) throws IOException {
        qmp.execute(IGNORE_SHARED);
        qmp.execute("{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":"
                + Qmp.jsonString("exec:cat " + CommandScript.quote(snapshot.devices().toString())) + "}}");
        // the guest was saved stopped, so it comes back paused once its state is loaded
        for (String state; !(state = qmp.runState()).equals("running"); ) {
            if (state.equals("paused")) {
                qmp.execute("{\"execute\":\"cont\"}");
            } else if (!state.equals("inmigrate") && !state.equals("prelaunch")) {
                throw new IOException("the restored guest is " + state + ", not running");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the guest was still being restored when the run's time was up");
            }
            Qmp.sleep(5);
        }
    }

    /** QEMU's RAM backed by {@code file} (a comma in its path doubled, as QEMU's option syntax wants). */
    private static List<String> memoryArguments(Path file, int memoryMiB, boolean shared) {
        return List.of("-object", "memory-backend-file,id=" + MEMORY_ID + ",size=" + memoryMiB + "M,mem-path="
                        + file.toString().replace(",", ",,") + ",share=" + (shared ? "on" : "off"),
                "-machine", "memory-backend=" + MEMORY_ID);
    }

    /** The line a waiting guest goes on at, with the host's time (UTC) for its clock. */
    static String goLine() {
        return "go " + GO_TIME.format(Instant.now()) + "\n";
    }

    /**
     * Deletes all but the {@link #KEPT} most recently used snapshots (and all but the {@link #KEPT_RESIDENT} most
     * recently used of those with a resident JVM), directories of saves that began over an hour ago and never
     * completed, {@link #refuse refusals} older than {@link #REFUSAL_KEPT}, and other files older than an hour
     * (older bpfunit versions kept snapshots as files).
     */
    void prune() {
        List<Path> snapshots = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            long hourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
            long refusalsSince = System.currentTimeMillis() - REFUSAL_KEPT.toMillis();
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().endsWith(REFUSED)) {
                    if (modified(file) < refusalsSince) {
                        FileTrees.deleteQuietly(file);
                    }
                    continue;
                }
                if (!Files.isDirectory(file)) {
                    // a snapshot is a directory; a file here is a snapshot of an older bpfunit (<key>.memory and
                    // <key>.devices side by side, about 110 MB a pair) that no key names any more
                    if (modified(file) < hourAgo) {
                        FileTrees.deleteQuietly(file);
                    }
                    continue;
                }
                if (!file.getFileName().toString().contains(PARTIAL_INFIX)) {
                    snapshots.add(file);
                } else if (modified(file) < hourAgo) {
                    FileTrees.deleteQuietly(file);
                }
            }
            snapshots.sort(Comparator.comparingLong(VmSnapshots::modified).reversed());
            int kept = 0;
            int keptResident = 0;
            for (Path snapshot : snapshots) {
                boolean resident = Files.exists(snapshot.resolve(LAYER));
                if (kept < KEPT && (!resident || keptResident < KEPT_RESIDENT)) {
                    kept++;
                    keptResident += resident ? 1 : 0;
                } else {
                    FileTrees.deleteQuietly(snapshot);
                }
            }
        } catch (IOException ignored) {
            // pruning is best effort; another run may be pruning too
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@code name}, the real path of {@code file} and {@link CacheKeys#describe its size and time}. */
    private static void identify(String name, Path file, StringBuilder machine) throws IOException {
        Path real = file.toRealPath();
        machine.append(name).append(' ').append(real).append(' ');
        CacheKeys.describe(real, machine);
    }
}
