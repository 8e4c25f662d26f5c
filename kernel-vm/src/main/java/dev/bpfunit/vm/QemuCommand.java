package dev.bpfunit.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The QEMU command line of one kernel VM: accelerator, memory, CPUs, kernel, initramfs, kernel command line,
 * and the 9p shares (the host root read-only, the run directory and any writable directories).
 *
 * @param qemu       the {@code qemu-system-x86_64} executable
 * @param accel      KVM or TCG
 * @param memoryMiB  guest memory in MiB
 * @param cpus       guest CPUs
 * @param kernel     the kernel image
 * @param initrd     the initramfs
 * @param append     the kernel command line
 * @param shares     the 9p shares, in order
 */
public record QemuCommand(Path qemu, Accelerator accel, int memoryMiB, int cpus, Path kernel, Path initrd,
                          String append, List<Share> shares) {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_]{1,31}");

    /**
     * A host directory shared over virtio-9p.
     *
     * @param tag      the mount tag the guest mounts it by (letters, digits, {@code _}, at most 31)
     * @param hostPath the host directory
     * @param readOnly whether the guest may only read it
     */
    public record Share(String tag, Path hostPath, boolean readOnly) {
        public Share {
            Objects.requireNonNull(hostPath, "hostPath");
            if (tag == null || !TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("9p mount tag '" + tag + "' must be 1 to 31 letters, digits or _");
            }
            if (hostPath.toString().contains(",")) {
                throw new VmException("cannot share " + hostPath + " with a VM: QEMU's -virtfs option cannot take"
                        + " a path containing a comma; use a directory without one");
            }
        }
    }

    /** The same machine booting another initramfs. */
    public QemuCommand withInitrd(Path other) {
        return new QemuCommand(qemu, accel, memoryMiB, cpus, kernel, other, append, shares);
    }

    public QemuCommand {
        Objects.requireNonNull(qemu, "qemu");
        Objects.requireNonNull(accel, "accel");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(append, "append");
        shares = List.copyOf(shares);
        if (memoryMiB < 64) {
            throw new IllegalArgumentException("VM memory " + memoryMiB + " MiB is too small; give at least 64 MiB");
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("VM cpus " + cpus + " must be at least 1");
        }
        if (shares.stream().map(Share::tag).distinct().count() != shares.size()) {
            throw new IllegalArgumentException("9p mount tags must be distinct: " + shares);
        }
    }

    /**
     * The kernel command line for a guest on serial console ttyS0 that reboots (and so exits QEMU) on a panic or
     * an oops; {@code verbose} keeps all kernel messages, otherwise only warnings and worse are printed.
     */
    public static String defaultAppend(boolean verbose) {
        return append(verbose, "");
    }

    /**
     * {@link #defaultAppend} and then {@code extra}. Besides the console and panic settings, it spares the guest
     * what costs seconds under TCG and serves no test: probing serial ports and keyboards that are not there, the
     * TSC's stability checks, ACPI interrupt routing ({@code acpi=noirq}: the AML interpreter ran for each PCI
     * interrupt link, about a second on 6.1; the BIOS's PIR table routes them instead), the crypto API's
     * self-tests at boot ({@code cryptomgr.notests}: 0.9 s on 6.1) and speculation mitigations. Not
     * {@code acpi=off}: without ACPI's HPET the TSC cannot be calibrated, is marked unstable and the guest falls
     * back to the jiffies clock.
     */
    public static String append(boolean verbose, String extra) {
        String base = "console=ttyS0 panic=-1 oops=panic " + (verbose ? "loglevel=7" : "quiet loglevel=4")
                + " 8250.nr_uarts=1 tsc=reliable no_timer_check i8042.noaux i8042.nokbd i8042.nopnp mitigations=off"
                + " acpi=noirq cryptomgr.notests";
        return extra.isBlank() ? base : base + " " + extra.strip();
    }

    /**
     * QEMU's {@code -accel} value: under TCG with more than one CPU, {@code tcg,thread=single} (all vCPUs on one host
     * thread). With a thread per vCPU (QEMU's default for x86 guests on x86), code one guest CPU writes and another
     * then runs was now and then run as it was before: JVMs a test started in 6.12 guests with two CPUs crashed in
     * freshly compiled code (SIGSEGV at a method's first instructions) in about 4 of 10 runs, and the kernel once
     * oopsed on an {@code int3} it had just patched away. One thread serializes the vCPUs: a guest with two CPUs gets
     * no more host time than one with one CPU, but runs its code as written.
     */
    String accelOption() {
        return accel == Accelerator.TCG && cpus > 1 ? accel.qemuName() + ",thread=single" : accel.qemuName();
    }

    /** The program and its arguments, ready for {@link ProcessBuilder}. */
    public List<String> arguments() {
        List<String> args = new ArrayList<>(List.of(
                qemu.toString(),
                "-accel", accelOption(),
                "-cpu", accel.cpuModel(),
                "-m", memoryMiB + "M",
                "-smp", Integer.toString(cpus),
                "-nodefaults", "-no-user-config",
                "-display", "none",
                "-serial", "stdio",
                "-no-reboot",
                "-kernel", kernel.toString(),
                "-initrd", initrd.toString(),
                "-append", append));
        for (Share share : shares) {
            args.add("-virtfs");
            args.add("local,path=" + share.hostPath() + ",mount_tag=" + share.tag() + ",security_model=none"
                    + (share.readOnly() ? ",readonly=on" : "") + ",multidevs=remap");
        }
        return List.copyOf(args);
    }
}
