package dev.bpfunit.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to run in a privileged container: the image, the command with its working directory and environment, the
 * host directories mounted read-write at their own paths, and the timeout.
 *
 * <p>Without an image the container uses the host's own programs: a local image holding only the root directory's
 * skeleton ({@link HostRootImage}), with the host's {@code /usr}, {@code /etc} and {@code /opt} mounted read-only,
 * so the host's JDK and Maven run in it. A named image must already be present locally (nothing is pulled).
 *
 * @param image        an image present in the local Docker daemon, or empty for the host-root image
 * @param command      the program and its arguments, run as root
 * @param workingDir   the command's working directory (absolute; usually one of {@code writableDirs})
 * @param environment  the command's whole environment
 * @param writableDirs host directories mounted read-write at the same path (the project, {@code ~/.m2})
 * @param timeout      the longest the command may run; then the container is killed
 */
public record ContainerSpec(Optional<String> image, List<String> command, Path workingDir,
                            Map<String, String> environment, List<Path> writableDirs, Duration timeout) {

    public ContainerSpec {
        Objects.requireNonNull(image, "image");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("container command is empty; give the program to run and its arguments");
        }
        if (!workingDir.isAbsolute()) {
            throw new IllegalArgumentException("container working directory " + workingDir + " must be absolute");
        }
        environment = Map.copyOf(environment);
        writableDirs = writableDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("container timeout " + timeout + " must be positive");
        }
    }

    /**
     * Runs {@code command} on the host-root image in the JVM's current directory (mounted read-write), with a
     * 30-minute timeout and only {@code PATH}, {@code HOME=/root} and {@code LANG=C.UTF-8} set.
     */
    public static ContainerSpec of(List<String> command) {
        Path cwd = Path.of("").toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", VmSpec.DEFAULT_PATH);
        env.put("HOME", "/root");
        env.put("LANG", "C.UTF-8");
        return new ContainerSpec(Optional.empty(), command, cwd, env, List.of(cwd), Duration.ofMinutes(30));
    }

    /** Same spec on a locally present image. */
    public ContainerSpec withImage(String name) {
        return new ContainerSpec(Optional.of(name), command, workingDir, environment, writableDirs, timeout);
    }

    /** Same spec, running in {@code dir}. */
    public ContainerSpec withWorkingDir(Path dir) {
        return new ContainerSpec(image, command, dir.toAbsolutePath().normalize(), environment, writableDirs, timeout);
    }

    /** Same spec with exactly this environment. */
    public ContainerSpec withEnvironment(Map<String, String> env) {
        return new ContainerSpec(image, command, workingDir, env, writableDirs, timeout);
    }

    /** Same spec with {@code dir} also mounted read-write at its own path. */
    public ContainerSpec withWritableDir(Path dir) {
        List<Path> dirs = new ArrayList<>(writableDirs);
        dirs.add(dir);
        return new ContainerSpec(image, command, workingDir, environment, dirs, timeout);
    }

    /** Same spec with another timeout. */
    public ContainerSpec withTimeout(Duration value) {
        return new ContainerSpec(image, command, workingDir, environment, writableDirs, value);
    }
}
