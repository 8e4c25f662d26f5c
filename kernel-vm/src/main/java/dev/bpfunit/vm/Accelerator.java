package dev.bpfunit.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How QEMU runs the guest's CPU: with KVM where {@code /dev/kvm} really works, else with TCG, QEMU's
 * emulator (about 20 times slower for a JVM, but it works everywhere).
 *
 * <p>{@link #detect(Path)} decides by booting a 512-byte guest under KVM that writes to QEMU's
 * {@code isa-debug-exit} port: an openable {@code /dev/kvm} is not enough (nested or paravirtual KVM devices
 * open, then fail or hang on the first guest instruction). The answer is kept for the JVM and in
 * {@code ~/.cache/bpfunit/kvm-probe} for the host's current boot.
 */
public enum Accelerator {
    KVM("kvm", "host"),
    TCG("tcg", "max");

    private static final int PROBE_EXIT = (0x2a << 1) | 1;
    private static final long PROBE_TIMEOUT_SECONDS = 8;
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

    /** KVM if a probe guest runs under it with {@code qemu}, TCG otherwise; probed once per host boot. */
    public static Accelerator detect(Path qemu) {
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
        Path cacheFile = DebianKernels.userCacheDir().resolve("kvm-probe");
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
        Accelerator result = probeKvm(qemu) ? KVM : TCG;
        if (!bootId.isEmpty()) {
            try {
                Files.createDirectories(cacheFile.getParent());
                Files.writeString(cacheFile, bootId + " " + result.name() + "\n");
            } catch (IOException ignored) {
                // the probe runs again next time
            }
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

    /** Boots a boot sector doing {@code mov al, 0x2a; out 0xf4, al; hlt} under KVM and checks QEMU's exit status. */
    static boolean probeKvm(Path qemu) {
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
            process = new ProcessBuilder(List.of(qemu.toString(), "-accel", "kvm", "-nodefaults", "-display", "none",
                    "-no-reboot", "-m", "16", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                    "-drive", "file=" + image + ",format=raw,if=ide"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS) && process.exitValue() == PROBE_EXIT;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
