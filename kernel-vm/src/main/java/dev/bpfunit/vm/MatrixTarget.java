package dev.bpfunit.vm;

import java.util.Locale;

/**
 * One column of the kernel matrix as configured: a Debian kernel version, a {@code vmlinuz} path, or
 * {@code container}. The kernel itself is resolved (and downloaded) only when its run starts.
 *
 * @param value the configured text, e.g. {@code 6.1}, {@code /boot/vmlinuz-6.8.0}, {@code container}
 */
record MatrixTarget(String value) {
    static final String CONTAINER = "container";

    MatrixTarget {
        value = value.trim();
        if (value.isEmpty()) {
            throw new VmException("empty kernel in the kernel list; give versions like 6.1, vmlinuz paths or "
                    + CONTAINER + ", comma-separated");
        }
        if (value.equalsIgnoreCase(CONTAINER)) {
            value = CONTAINER;
        }
    }

    boolean container() {
        return value.equals(CONTAINER);
    }

    /** {@code [kernel 6.1]} or {@code [container]}. */
    String label() {
        return container() ? "[container]" : "[kernel " + value + "]";
    }

    /** A file name for the run directory. */
    String fileName() {
        return value.replaceAll("[^A-Za-z0-9._-]", "_").toLowerCase(Locale.ROOT);
    }
}
