package dev.bpfunit.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A kernel to boot: its compressed image ({@code vmlinuz}/{@code bzImage}) and, when the 9p and virtio
 * drivers are modules, the directory of its modules ({@code lib/modules/<release>}).
 *
 * @param name       how the kernel is named in messages and reports, e.g. {@code 6.12.117+deb12-amd64}
 * @param vmlinuz    the kernel image QEMU boots with {@code -kernel}
 * @param modulesDir the kernel's {@code lib/modules/<release>} directory, absent when everything the
 *                   guest needs (virtio-pci, 9p over virtio) is built in
 */
public record KernelImage(String name, Path vmlinuz, Optional<Path> modulesDir) {

    public KernelImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vmlinuz, "vmlinuz");
        Objects.requireNonNull(modulesDir, "modulesDir");
        if (!Files.isRegularFile(vmlinuz)) {
            throw new VmException("kernel image " + vmlinuz + " does not exist or is not a file");
        }
        modulesDir.ifPresent(dir -> {
            if (!Files.isDirectory(dir)) {
                throw new VmException("kernel modules directory " + dir + " of kernel " + name
                        + " does not exist; give the kernel's lib/modules/<release> directory");
            }
        });
    }

    /** A kernel image the user has, with everything the guest needs built in (no modules). */
    public static KernelImage of(Path vmlinuz) {
        return new KernelImage(vmlinuz.getFileName().toString(), vmlinuz, Optional.empty());
    }

    /** A kernel image the user has, with its modules directory ({@code lib/modules/<release>}). */
    public static KernelImage of(Path vmlinuz, Path modulesDir) {
        return new KernelImage(modulesDir.getFileName().toString(), vmlinuz, Optional.of(modulesDir));
    }

    /**
     * A Debian kernel package by version, fetched with {@code apt-get download} and cached in the user's cache
     * directory: {@code "6.1"}, {@code "6.12"} (the newest available of that series), {@code "6.12.117"},
     * or an exact release or package name such as {@code "6.1.0-56-amd64"}.
     *
     * @see DebianKernels
     */
    public static KernelImage debian(String version) {
        return DebianKernels.inUserCache().kernel(version);
    }

    /**
     * The kernel for a command-line or configuration value: an existing file is a kernel image (with the
     * modules of {@code /lib/modules/<name without vmlinuz->} beside it if that exists), anything else a
     * Debian version as in {@link #debian(String)}.
     */
    public static KernelImage parse(String value) {
        Path path = Path.of(value);
        if (value.contains("/") || Files.isRegularFile(path)) {
            if (!Files.isRegularFile(path)) {
                throw new VmException("kernel image " + value + " does not exist; give a vmlinuz path or a"
                        + " Debian kernel version such as 6.1 or 6.12");
            }
            String file = path.getFileName().toString();
            Path bootDir = path.toAbsolutePath().getParent();
            if (file.startsWith("vmlinuz-") && bootDir != null && bootDir.getParent() != null) {
                Path modules = bootDir.getParent().resolve("lib/modules").resolve(file.substring("vmlinuz-".length()));
                if (Files.isDirectory(modules)) {
                    return of(path, modules);
                }
            }
            return of(path);
        }
        return debian(value);
    }

    @Override
    public String toString() {
        return "kernel " + name;
    }
}
