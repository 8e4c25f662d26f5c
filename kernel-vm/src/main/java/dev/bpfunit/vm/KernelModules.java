package dev.bpfunit.vm;

import dev.bpfunit.cache.UserCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The loadable modules of one kernel's {@code lib/modules/<release>} directory, for putting the ones a guest
 * needs into its initramfs in an order {@code insmod} accepts.
 *
 * <p>Distribution packages do not ship {@code modules.dep} (depmod writes it at install time), so the
 * dependencies are read from each module's own {@code .modinfo} ELF section ({@code depends=}). Modules listed
 * in {@code modules.builtin} are skipped. Compressed modules ({@code .ko.xz}, {@code .ko.zst}) are decompressed
 * on the host at build time with the {@code xz} and {@code zstd} commands ({@code .ko.gz} in Java), so the
 * guest's busybox needs no decompressor; the decompressed ones are kept in {@code ~/.cache/bpfunit/modules}.
 */
final class KernelModules {
    private static final List<String> SUFFIXES = List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz");

    /** A module ready for the initramfs: its name and its uncompressed ELF bytes. */
    record Module(String name, byte[] elf) {
    }

    private final Path dir;
    private final Map<String, Path> files;
    private final Set<String> builtin;

    private KernelModules(Path dir, Map<String, Path> files, Set<String> builtin) {
        this.dir = dir;
        this.files = Map.copyOf(files);
        this.builtin = Set.copyOf(builtin);
    }

    /**
     * The directories scanned in this JVM, with the modification time of the directory and its
     * {@code modules.builtin} they were scanned at: a guest's run scans its kernel's twice (its fixtures' modules,
     * its initramfs), each time 60-150 ms for the 4,000-odd files of a Debian kernel.
     */
    private static final Map<Path, Scanned> SCANNED = new java.util.concurrent.ConcurrentHashMap<>();

    private record Scanned(String stamp, KernelModules modules) {
    }

    /**
     * Indexes the modules under {@code modulesDir} (all {@code *.ko*} files) and reads {@code modules.builtin}; the
     * index of an earlier scan in this JVM when the directory's and {@code modules.builtin}'s modification times are
     * still those it was made at (a package's directory does not change; {@code make modules_install} and depmod
     * rewrite files at its top).
     */
    static KernelModules scan(Path modulesDir) {
        Path key = modulesDir.toAbsolutePath().normalize();
        String stamp = stamp(key);
        Scanned earlier = SCANNED.get(key);
        if (earlier != null && earlier.stamp().equals(stamp)) {
            return earlier.modules();
        }
        KernelModules modules = walk(modulesDir);
        SCANNED.put(key, new Scanned(stamp, modules));
        return modules;
    }

    private static String stamp(Path modulesDir) {
        StringBuilder text = new StringBuilder();
        try {
            text.append(Files.getLastModifiedTime(modulesDir).toMillis()).append('\n');
            CacheKeys.describe(modulesDir.resolve("modules.builtin"), text);
        } catch (IOException e) {
            text.append("unreadable: ").append(e.getMessage());
        }
        return text.toString();
    }

    private static KernelModules walk(Path modulesDir) {
        Map<String, Path> files = new HashMap<>();
        // the walk's own attributes: a second stat of each of a kernel's 4,000-6,000 files cost as much as the walk
        try (Stream<Path> walk = Files.find(modulesDir, Integer.MAX_VALUE, (file, attributes) -> attributes.isRegularFile()
                || attributes.isSymbolicLink() && Files.isRegularFile(file))) {
            walk.forEach(file -> {
                String module = moduleName(file.getFileName().toString());
                if (module != null) {
                    files.putIfAbsent(module, file);
                }
            });
        } catch (IOException e) {
            throw new VmException("cannot list kernel modules in " + modulesDir + ": " + e.getMessage(), e);
        }
        Set<String> builtin = new HashSet<>();
        Path builtinList = modulesDir.resolve("modules.builtin");
        if (Files.isRegularFile(builtinList)) {
            try {
                for (String line : Files.readAllLines(builtinList)) {
                    String module = moduleName(line.substring(line.lastIndexOf('/') + 1).trim());
                    if (module != null) {
                        builtin.add(module);
                    }
                }
            } catch (IOException e) {
                throw new VmException("cannot read " + builtinList + ": " + e.getMessage(), e);
            }
        }
        return new KernelModules(modulesDir, files, builtin);
    }

    /** True if the kernel has {@code name} built in or as a module file in its directory. */
    boolean has(String name) {
        return builtin.contains(canonical(name)) || files.containsKey(canonical(name));
    }

    /** True if the kernel has {@code name} built in. */
    boolean isBuiltin(String name) {
        return builtin.contains(canonical(name));
    }

    /**
     * The modules needed to use {@code wanted} (names as in {@code lsmod}, {@code -} or {@code _}), with their
     * dependencies, each after the modules it depends on; built-in modules are left out.
     *
     * @throws VmException if a module is neither built in nor present in the directory
     */
    List<Module> resolve(List<String> wanted) {
        Map<String, Module> ordered = new LinkedHashMap<>();
        for (String name : wanted) {
            visit(canonical(name), ordered, new ArrayList<>());
        }
        return List.copyOf(ordered.values());
    }

    private void visit(String name, Map<String, Module> ordered, List<String> path) {
        if (ordered.containsKey(name) || builtin.contains(name)) {
            return;
        }
        if (path.contains(name)) {
            throw new VmException("kernel modules in " + dir + " depend on each other in a cycle: "
                    + String.join(" -> ", path) + " -> " + name);
        }
        Path file = files.get(name);
        if (file == null) {
            String via = path.isEmpty() ? "" : " (needed by " + path.get(path.size() - 1) + ")";
            throw new VmException("kernel module " + name + via + " is neither built in nor present in " + dir
                    + "; give a kernel that has it, or its complete lib/modules directory");
        }
        byte[] elf = uncompressed(file);
        path.add(name);
        for (String dependency : dependsOf(elf, file)) {
            visit(canonical(dependency), ordered, path);
        }
        path.remove(path.size() - 1);
        ordered.put(name, new Module(name, elf));
    }

    /** The module names in the {@code depends=} entry of a module's {@code .modinfo} section. */
    static List<String> dependsOf(byte[] elf, Path file) {
        for (String entry : modinfo(elf, file)) {
            if (entry.startsWith("depends=")) {
                String value = entry.substring("depends=".length()).trim();
                return value.isEmpty() ? List.of() : List.of(value.split(","));
            }
        }
        return List.of();
    }

    /** Whether {@code elf} starts with a 64-bit little-endian ELF header, as a module for this host's kernels does. */
    private static boolean isElf64Le(byte[] elf) {
        return elf.length >= 64 && ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == 0x464c457f
                && elf[4] == 2 && elf[5] == 1;
    }

    /** The NUL-separated {@code key=value} strings of the {@code .modinfo} section of a 64-bit little-endian ELF. */
    static List<String> modinfo(byte[] elf, Path file) {
        ByteBuffer buf = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (!isElf64Le(elf)) {
            throw new VmException("kernel module " + file + " is not a 64-bit little-endian ELF file");
        }
        long shoff = buf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(buf.getShort(0x3a));
        int shnum = Short.toUnsignedInt(buf.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(buf.getShort(0x3e));
        if (shentsize < 64 || shstrndx >= shnum || shoff < 0 || shoff + (long) shnum * shentsize > elf.length) {
            throw new VmException("kernel module " + file + " has a truncated or corrupt section header table");
        }
        long namesOffset = buf.getLong((int) (shoff + (long) shstrndx * shentsize) + 0x18);
        for (int i = 0; i < shnum; i++) {
            int header = (int) (shoff + (long) i * shentsize);
            long nameOffset = namesOffset + Integer.toUnsignedLong(buf.getInt(header));
            if (".modinfo".equals(cString(elf, nameOffset))) {
                long offset = buf.getLong(header + 0x18);
                long size = buf.getLong(header + 0x20);
                if (offset < 0 || size < 0 || offset + size > elf.length) {
                    throw new VmException("kernel module " + file + " has a .modinfo section past its end");
                }
                List<String> entries = new ArrayList<>();
                for (String s : new String(elf, (int) offset, (int) size, StandardCharsets.UTF_8).split("\0")) {
                    if (!s.isEmpty()) {
                        entries.add(s);
                    }
                }
                return entries;
            }
        }
        return List.of();
    }

    private static String cString(byte[] data, long offset) {
        if (offset < 0 || offset >= data.length) {
            return "";
        }
        int end = (int) offset;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }

    private static byte[] uncompressed(Path file) {
        return uncompressed(file, DebianKernels.userCacheDir().resolve("modules"));
    }

    /**
     * The module's ELF bytes: read, gunzipped in Java, or decompressed with {@code xz}/{@code zstd} once and kept in
     * {@code cacheDir} under a name made from the file's path, size and modification time (a guest's initramfs takes
     * a dozen modules on every run: 230-260 ms to build for Debian's 6.12, whose modules are xz, 110-120 ms kept).
     */
    static byte[] uncompressed(Path file, Path cacheDir) {
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(".ko")) {
                return Files.readAllBytes(file);
            }
            if (name.endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                    return in.readAllBytes();
                }
            }
        } catch (IOException e) {
            throw new VmException("cannot read kernel module " + file + ": " + e.getMessage(), e);
        }
        boolean xz = name.endsWith(".xz");
        Path cached = null;
        try {
            cached = cacheDir.resolve(moduleName(name) + "-" + CacheKeys.ofFile(file) + ".ko");
            if (Files.isRegularFile(cached)) {
                byte[] elf = Files.readAllBytes(cached);
                if (isElf64Le(elf)) {
                    return elf;
                }
            }
        } catch (IOException e) {
            cached = null;      // no cache: decompress it
        }
        byte[] elf = HostTools.output(List.of(xz ? "xz" : "zstd", "-dcq", file.toString()),
                "decompressing kernel module " + file, xz ? "xz-utils" : "zstd");
        if (cached != null) {
            UserCache.keep(cached, elf);
        }
        return elf;
    }

    /** The module name of a file name such as {@code 9pnet-virtio.ko.xz}, or null if it is no module. */
    static String moduleName(String fileName) {
        for (String suffix : SUFFIXES) {
            if (fileName.endsWith(suffix)) {
                return canonical(fileName.substring(0, fileName.length() - suffix.length()));
            }
        }
        return null;
    }

    /** Module names treat {@code -} and {@code _} alike; the canonical form uses {@code _}. */
    static String canonical(String name) {
        return name.trim().replace('-', '_');
    }
}
