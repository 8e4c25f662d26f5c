package dev.bpfunit.vm;

import dev.bpfunit.cache.UserCache;
import java.io.IOException;
import java.nio.file.StandardCopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's kernel packages ({@code linux-image-<release>-amd64}) as bootable {@link KernelImage}s: a version
 * is resolved to a package with {@code apt-cache}, fetched with {@code apt-get download}, unpacked with
 * {@code dpkg-deb -x} and cached as {@code <cache>/<package>_<version>/} (its {@code boot/vmlinuz-*} and
 * {@code lib/modules/<release>/}). A cached kernel is used without asking apt again. apt's list of kernel packages
 * is kept beside them ({@link #APT_LISTING}) with what it was made from (apt's package lists and dpkg's status: each
 * file's name, size and modification time), and asked for again only when that changed: {@code apt-cache} takes
 * 0.7 s, on the way to every guest's boot.
 */
public final class DebianKernels {
    private static final Pattern IMAGE = Pattern.compile("linux-image-(\\d+\\.\\d+\\.\\d+[-+][^_\\s]*)-amd64");
    private static final Pattern FLAVOURS = Pattern.compile("-(rt|cloud|dbg|unsigned)(-|$)");

    /** The file in the cache directory that keeps apt's list of kernel packages, its key on the first line. */
    static final String APT_LISTING = ".apt-linux-images";
    /** What {@code apt-cache pkgnames} answers from: the package lists {@code apt-get update} writes, dpkg's status. */
    private static final Path APT_LISTS = Path.of("/var/lib/apt/lists");
    private static final Path DPKG_STATUS = Path.of("/var/lib/dpkg/status");

    private final Path cacheDir;
    private final Path aptLists;
    private final Path dpkgStatus;

    /** Kernels cached in {@code cacheDir}, which is created when a kernel is first fetched. */
    public DebianKernels(Path cacheDir) {
        this(cacheDir, APT_LISTS, DPKG_STATUS);
    }

    /** With apt's lists directory and dpkg's status file elsewhere (tests). */
    DebianKernels(Path cacheDir, Path aptLists, Path dpkgStatus) {
        this.cacheDir = cacheDir;
        this.aptLists = aptLists;
        this.dpkgStatus = dpkgStatus;
    }

    /** Kernels cached in {@code ${XDG_CACHE_HOME:-~/.cache}/bpfunit/kernels}. */
    public static DebianKernels inUserCache() {
        return new DebianKernels(userCacheDir().resolve("kernels"));
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/bpfunit}. */
    static Path userCacheDir() {
        return UserCache.root().orElseThrow(() -> new VmException("neither XDG_CACHE_HOME nor user.home is set:"
                + " nowhere to keep kernels and saved guests; set XDG_CACHE_HOME"));
    }

    /** The directory kernels are cached in. */
    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * The kernel for {@code version} ({@code "6.1"}, {@code "6.12"}, {@code "6.12.117"}, {@code "6.1.0-56-amd64"}
     * or {@code "linux-image-6.1.0-56-amd64"}): the newest matching package, from the cache or fetched.
     */
    public KernelImage kernel(String version) {
        List<String> known = new ArrayList<>(cachedPackages());
        known.addAll(aptPackages());
        String pkg = pickPackage(version, known).orElseThrow(() -> new VmException("no Debian kernel package"
                + " matches version '" + version + "'" + (known.isEmpty()
                ? "; apt knows no linux-image packages (run apt-get update) and none is cached in " + cacheDir
                : "; known: " + String.join(", ", new TreeSet<>(known)))));
        Path dir = cached(pkg).orElseGet(() -> fetch(pkg));
        return imageIn(dir, pkg);
    }

    /**
     * The newest package among {@code packages} whose release is {@code version} or starts with it followed by
     * {@code .}, {@code -} or {@code +}; real-time, cloud, debug and unsigned flavours are left out.
     */
    static Optional<String> pickPackage(String version, List<String> packages) {
        String wanted = version.startsWith("linux-image-") ? version.substring("linux-image-".length()) : version;
        String release = wanted.endsWith("-amd64") ? wanted.substring(0, wanted.length() - "-amd64".length()) : wanted;
        return packages.stream().distinct()
                .filter(p -> !FLAVOURS.matcher(p).find())
                .filter(p -> {
                    Matcher m = IMAGE.matcher(p);
                    if (!m.matches()) {
                        return false;
                    }
                    String r = m.group(1);
                    return r.equals(release) || (r.startsWith(release)
                            && ".-+".indexOf(r.charAt(release.length())) >= 0);
                })
                .max(Comparator.comparing(DebianKernels::releaseOf, DebianKernels::compareVersions));
    }

    private static String releaseOf(String pkg) {
        Matcher m = IMAGE.matcher(pkg);
        return m.matches() ? m.group(1) : pkg;
    }

    /** Compares dotted/dashed version strings number by number ({@code 6.12.9 < 6.12.100}). */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.\\-+~]");
        String[] y = b.split("[.\\-+~]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].matches("\\d+") && y[i].matches("\\d+")
                    ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i])) : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /**
     * The kernel packages apt knows: from {@link #APT_LISTING} when apt's lists and dpkg's status are as they were
     * when it was written, else from {@code apt-cache pkgnames}, then kept there.
     */
    List<String> aptPackages() {
        if (HostTools.onPath("apt-cache").isEmpty()) {
            return List.of();
        }
        Optional<String> header = aptState().map(key -> "key " + key);
        Path listing = cacheDir.resolve(APT_LISTING);
        if (header.isPresent() && Files.isRegularFile(listing)) {
            try {
                List<String> lines = Files.readAllLines(listing);
                if (!lines.isEmpty() && lines.get(0).equals(header.get())) {
                    return List.copyOf(lines.subList(1, lines.size()));
                }
            } catch (IOException e) {
                // unreadable: ask apt, and write it again
            }
        }
        HostTools.Run run = HostTools.run(List.of("apt-cache", "pkgnames", "linux-image-"), null,
                "listing Debian kernel packages", "apt");
        List<String> packages = run.stdoutText().lines().map(String::trim).filter(l -> IMAGE.matcher(l).matches())
                .sorted().toList();
        if (header.isPresent() && run.exitCode() == 0) {
            UserCache.keep(listing, (header.get() + "\n" + packages.stream().map(p -> p + "\n")
                    .collect(java.util.stream.Collectors.joining())).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return packages;
    }

    /**
     * A digest of what apt's answer depends on: each regular file of apt's lists directory (not its {@code partial/}
     * downloads or its lock) and dpkg's status, by name, size and modification time; empty when it cannot be read.
     */
    private Optional<String> aptState() {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> lists = Files.list(aptLists)) {
            for (Path file : lists.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("lock"))
                    .sorted().toList()) {
                text.append(file.getFileName()).append(' ');
                CacheKeys.describe(file, text);
            }
            text.append("status ");
            CacheKeys.describe(dpkgStatus, text);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.of(CacheKeys.hex(text.toString(), 16));
    }

    private List<String> cachedPackages() {
        if (!Files.isDirectory(cacheDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(cacheDir)) {
            return dirs.map(d -> d.getFileName().toString())
                    .filter(n -> n.contains("_") && !n.startsWith("."))
                    .map(n -> n.substring(0, n.indexOf('_')))
                    .toList();
        } catch (IOException e) {
            throw new VmException("cannot list the kernel cache " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    private Optional<Path> cached(String pkg) {
        if (!Files.isDirectory(cacheDir)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(cacheDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(pkg + "_") && Files.isDirectory(d))
                    .max(Comparator.comparing(d -> d.getFileName().toString(), DebianKernels::compareVersions));
        } catch (IOException e) {
            throw new VmException("cannot list the kernel cache " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    private Path fetch(String pkg) {
        Path download = null;
        Path unpack = null;
        try {
            Files.createDirectories(cacheDir);
            download = Files.createTempDirectory(cacheDir, ".download-");
            HostTools.Run run = HostTools.run(List.of("apt-get", "download", pkg), download,
                    "downloading kernel package " + pkg, "apt");
            Path deb;
            try (Stream<Path> files = Files.list(download)) {
                deb = files.filter(f -> f.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
            }
            if (run.exitCode() != 0 || deb == null) {
                throw new VmException("apt-get download " + pkg + " failed (exit " + run.exitCode() + "): "
                        + run.stderr() + "; check that apt can reach the Debian mirrors (apt-get update)");
            }
            // pkg_version_arch.deb, the version with ':' written as %3a
            String[] parts = deb.getFileName().toString().split("_");
            String version = parts.length >= 3 ? parts[1].replace("%3a", "+") : "unknown";
            unpack = Files.createTempDirectory(cacheDir, ".unpack-");
            HostTools.Run extract = HostTools.run(List.of("dpkg-deb", "-x", deb.toString(), unpack.toString()),
                    null, "unpacking kernel package " + deb.getFileName(), "dpkg");
            if (extract.exitCode() != 0) {
                throw new VmException("dpkg-deb -x " + deb.getFileName() + " failed: " + extract.stderr());
            }
            imageIn(unpack, pkg);
            Path target = cacheDir.resolve(pkg + "_" + version);
            try {
                Files.move(unpack, target, StandardCopyOption.ATOMIC_MOVE);
                unpack = null;
            } catch (IOException raced) {
                // Another JVM (a parallel build, another fork) fetched the same package first: rename(2) onto its
                // non-empty directory fails with ENOTEMPTY. Use its copy; any other failure is reported.
                if (!Files.isDirectory(target)) {
                    throw raced;
                }
                imageIn(target, pkg);
            }
            return target;
        } catch (IOException e) {
            throw new VmException("cannot fetch kernel package " + pkg + " into " + cacheDir + ": " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(download);
            FileTrees.deleteQuietly(unpack);
        }
    }

    private static KernelImage imageIn(Path dir, String pkg) {
        String release = releaseOf(pkg) + "-amd64";
        Path vmlinuz = dir.resolve("boot/vmlinuz-" + release);
        Path modules = dir.resolve("lib/modules/" + release);
        if (!Files.isRegularFile(vmlinuz) || !Files.isDirectory(modules)) {
            throw new VmException("kernel package " + pkg + " unpacked in " + dir + " has no boot/vmlinuz-" + release
                    + " or lib/modules/" + release + "; delete that directory to fetch it again");
        }
        return new KernelImage(release, vmlinuz, Optional.of(modules));
    }
}
