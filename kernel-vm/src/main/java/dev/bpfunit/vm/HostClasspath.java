package dev.bpfunit.vm;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The running JVM's classpath as a guest JVM needs it: each entry as an absolute path, with a manifest-only jar
 * (Surefire's booter jar) replaced by the entries its {@code Class-Path} lists.
 */
final class HostClasspath {
    /** Directories the container gets from the host anyway (read-only). */
    private static final List<Path> IN_CONTAINER = List.of(Path.of("/usr"), Path.of("/etc"), Path.of("/opt"));

    private HostClasspath() {
    }

    static List<String> entries() {
        String classpath = System.getProperty("java.class.path", "");
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath().normalize();
            List<String> listed = manifestClassPath(path);
            if (listed.isEmpty()) {
                entries.add(path.toString());
            } else {
                entries.addAll(listed);
            }
        }
        if (entries.isEmpty()) {
            throw new VmException("java.class.path is empty; the kernel matrix runs the guest on the host's classpath");
        }
        launcherJar().filter(jar -> !entries.contains(jar)).ifPresent(entries::add);
        return List.copyOf(entries);
    }

    /**
     * The jar of the JUnit Platform launcher this JVM runs with, when it came from elsewhere than
     * {@code java.class.path}: bpfunit-kernel-vm takes the launcher as {@code provided}, and Surefire, when the
     * project does not declare one, adds the launcher matching the project's JUnit Platform on its own provider
     * class path. The guest's {@code GuestLauncher} needs that same launcher.
     */
    private static java.util.Optional<String> launcherJar() {
        try {
            Class<?> launcher = Class.forName("org.junit.platform.launcher.Launcher", false,
                    HostClasspath.class.getClassLoader());
            java.security.CodeSource source = launcher.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath().normalize().toString());
        } catch (ClassNotFoundException | java.net.URISyntaxException | SecurityException e) {
            return java.util.Optional.empty();
        }
    }

    /** The entries of a jar's manifest {@code Class-Path}, if {@code path} is a jar that has one. */
    private static List<String> manifestClassPath(Path path) {
        if (!path.toString().endsWith(".jar") || !Files.isRegularFile(path)) {
            return List.of();
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            Manifest manifest = jar.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (value == null || value.isBlank()) {
                return List.of();
            }
            List<String> listed = new ArrayList<>();
            URI base = path.getParent().toUri();
            for (String item : value.trim().split("\\s+")) {
                listed.add(Path.of(base.resolve(item)).toAbsolutePath().normalize().toString());
            }
            // the jar itself may hold classes too (a manifest jar holds none, but an application jar may)
            listed.add(0, path.toString());
            return listed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of classpath jar " + path, e);
        }
    }

    /**
     * The fewest host directories that hold all of {@code entries} and {@code workingDir} and are not already in the
     * container: a Maven repository as a whole, and the nearest directory holding the working directory and every
     * entry outside it (a multi-module project's root with its modules' classes and jars, so tests may also read
     * files of sibling modules).
     */
    static List<Path> mountRoots(List<String> entries, Path workingDir) {
        List<Path> roots = new ArrayList<>();
        Path project = workingDir;
        for (String entry : entries) {
            Path path = Path.of(entry);
            if (!IN_CONTAINER.stream().anyMatch(path::startsWith) && repositoryOf(path).isEmpty()) {
                while (project != null && !path.startsWith(project)) {
                    project = project.getParent();
                }
            }
        }
        if (project == null || project.getParent() == null) {
            project = workingDir;
        }
        // a module's tests may read files of its multi-module build (the root README, sibling modules) even when
        // the siblings come as jars from the repository: share the outermost directory of the Maven build
        while (project.getParent() != null && Files.isRegularFile(project.getParent().resolve("pom.xml"))) {
            project = project.getParent();
        }
        roots.add(project);
        for (String entry : entries) {
            Path path = Path.of(entry);
            if (IN_CONTAINER.stream().anyMatch(path::startsWith) || !Files.exists(path)) {
                continue;
            }
            Path root = repositoryOf(path).orElse(Files.isDirectory(path) ? path : path.getParent());
            roots.add(root);
        }
        List<Path> minimal = new ArrayList<>();
        roots.stream().distinct().sorted().forEach(r -> {
            if (minimal.stream().noneMatch(r::startsWith)) {
                minimal.add(r);
            }
        });
        return minimal;
    }

    /** The Maven repository ({@code .../.m2/repository}) holding {@code path}, if any. */
    private static java.util.Optional<Path> repositoryOf(Path path) {
        for (Path p = path; p != null; p = p.getParent()) {
            Path name = p.getFileName();
            Path parent = p.getParent();
            if (name != null && name.toString().equals("repository") && parent != null
                    && parent.getFileName() != null && parent.getFileName().toString().equals(".m2")) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }
}
