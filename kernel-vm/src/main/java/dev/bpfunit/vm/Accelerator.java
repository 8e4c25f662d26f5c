package dev.bpfunit.vm;

import dev.bpfunit.cache.UserCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How QEMU runs the guest's CPU: with KVM where {@code /dev/kvm} really works, else with TCG, QEMU's
 * emulator (about 20 times slower for a JVM, but it works everywhere).
 *
 * <p>{@link #detect(Path)} decides by booting a 512-byte guest that writes to QEMU's {@code isa-debug-exit} port,
 * once under KVM and once under TCG, and takes KVM only when its guest exited as it should <em>and</em> sooner
 * than TCG's: an openable {@code /dev/kvm} is not enough (nested or paravirtual KVM devices open, then fail or
 * hang on the first guest instruction), and neither is a probe that passes (on some sandboxed hosts every VM exit
 * costs milliseconds: the probe passes in 5 s where TCG takes 0.3 s, and a kernel then needs minutes to leave its
 * real-mode setup). System property {@value #PROPERTY} ({@code kvm} or {@code tcg}) overrides the probe. The
 * answer is kept for the JVM and in {@code ~/.cache/bpfunit/accel-probe} for the host's current boot.
 */
public enum Accelerator {
    KVM("kvm", "host"),
    TCG("tcg", "max");

    private static final int PROBE_EXIT = (0x2a << 1) | 1;
    private static final long PROBE_TIMEOUT_SECONDS = 8;
    /** The system property that overrides the probe: {@code kvm} or {@code tcg}. */
    public static final String PROPERTY = "bpfunit.vm.accel";
    /** The probe's cache file under {@link DebianKernels#userCacheDir()}: {@code <boot id> KVM|TCG}. */
    static final String CACHE_FILE = "accel-probe";
    private static volatile Accelerator detected;

    private final String qemuName;
    private final String cpuModel;

    Accelerator(String qemuName, String cpuModel) {
        this.qemuName = qemuName;
        this.cpuModel = cpuModel;
    }

    /** The value of QEMU's {@code -accel} option. */
    public String qemuName() {
        return qemuName;
    }

    /** The value of QEMU's {@code -cpu} option that goes with this accelerator. */
    public String cpuModel() {
        return cpuModel;
    }

    /**
     * KVM if a probe guest runs under it with {@code qemu}, and faster than under TCG; TCG otherwise; probed once
     * per host boot. System property {@value #PROPERTY} decides instead when set.
     */
    public static Accelerator detect(Path qemu) {
        String forced = System.getProperty(PROPERTY, "").trim();
        if (!forced.isEmpty()) {
            return switch (forced.toLowerCase(Locale.ROOT)) {
                case "kvm" -> KVM;
                case "tcg" -> TCG;
                default -> throw new VmException("system property " + PROPERTY + " is '" + forced
                        + "': set it to kvm or tcg, or leave it unset to probe");
            };
        }
        Accelerator known = detected;
        if (known != null) {
            return known;
        }
        synchronized (Accelerator.class) {
            if (detected == null) {
                detected = detectUncached(qemu);
            }
            return detected;
        }
    }

    private static Accelerator detectUncached(Path qemu) {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return TCG;
        }
        Path cacheFile = DebianKernels.userCacheDir().resolve(CACHE_FILE);
        String bootId = bootId();
        try {
            if (!bootId.isEmpty() && Files.isRegularFile(cacheFile)) {
                String[] cached = Files.readString(cacheFile).trim().split(" ");
                if (cached.length == 2 && cached[0].equals(bootId)) {
                    return valueOf(cached[1]);
                }
            }
        } catch (IOException | IllegalArgumentException ignored) {
            // probe again
        }
        Accelerator result = choose(probe(qemu, KVM), probe(qemu, TCG));
        if (!bootId.isEmpty()) {
            // not kept: the probe runs again next time
            UserCache.keep(cacheFile, (bootId + " " + result.name() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return result;
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * KVM when its probe passed in less time than TCG's, else TCG.
     *
     * @param kvm how long the probe took under KVM, or empty when it failed or timed out
     * @param tcg the same under TCG (empty: TCG's probe itself failed, KVM is still taken if it passed)
     */
    static Accelerator choose(Optional<Duration> kvm, Optional<Duration> tcg) {
        if (kvm.isEmpty()) {
            return TCG;
        }
        return tcg.isEmpty() || kvm.get().compareTo(tcg.get()) < 0 ? KVM : TCG;
    }

    /**
     * Boots a boot sector doing {@code mov al, 0x2a; out 0xf4, al; hlt} under {@code accel} and returns how long
     * QEMU took when it exited with the status that write gives, empty when it failed or timed out.
     */
    static Optional<Duration> probe(Path qemu, Accelerator accel) {
        Path image = null;
        Process process = null;
        try {
            image = Files.createTempFile("bpfunit-kvm-probe", ".img");
            byte[] sector = new byte[512];
            byte[] code = {(byte) 0xb0, 0x2a, (byte) 0xe6, (byte) 0xf4, (byte) 0xf4, (byte) 0xeb, (byte) 0xfe};
            System.arraycopy(code, 0, sector, 0, code.length);
            sector[510] = 0x55;
            sector[511] = (byte) 0xaa;
            Files.write(image, sector);
            long start = System.nanoTime();
            process = new ProcessBuilder(List.of(qemu.toString(), "-accel", accel.qemuName, "-nodefaults", "-display", "none",
                    "-no-reboot", "-m", "16", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                    "-drive", "file=" + image + ",format=raw,if=ide"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            boolean passed = process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    && process.exitValue() == PROBE_EXIT;
            return passed ? Optional.of(Duration.ofNanos(System.nanoTime() - start))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            if (image != null) {
                try {
                    Files.deleteIfExists(image);
                } catch (IOException ignored) {
                    // a 512-byte temp file
                }
            }
        }
    }
}
