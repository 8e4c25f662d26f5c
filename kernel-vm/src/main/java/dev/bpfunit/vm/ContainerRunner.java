package dev.bpfunit.vm;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs a command as root in a Docker container with the privileges BPF needs, through Testcontainers, and reports
 * how it ended ({@link VmResult}; a container has no kernel of its own, so the kernel is the host's).
 *
 * <p>The container gets every capability except {@code CAP_SYS_RESOURCE} and runs without seccomp and AppArmor
 * confinement ({@code --privileged} is not used: it fails where the daemon's root lacks CAP_SYS_RESOURCE); bpffs,
 * debugfs and tracefs are mounted before the command. The container is removed on every path. Testcontainers'
 * reaper (Ryuk) is not needed: machines that cannot pull images set {@code TESTCONTAINERS_RYUK_DISABLED=true} and
 * {@code TESTCONTAINERS_CHECKS_DISABLE=true} (the startup check pulls an image too).
 */
public final class ContainerRunner {
    /** Mounts the BPF-related filesystems the way the VM's init does; failures are left to the command to notice. */
    static final String PRELUDE = "mount -t bpf bpf /sys/fs/bpf 2>/dev/null\n"
            + "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
            + "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null\n";
    private static final String LABEL = "dev.bpfunit.vm";

    /** True if a Docker daemon is reachable (Testcontainers' discovery: DOCKER_HOST, the socket, ...). */
    public static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** Runs the command, keeping its output only in the result's console tail. */
    public VmResult run(ContainerSpec spec) {
        return run(spec, line -> { });
    }

    /**
     * Runs the command in a fresh container and returns how it ended. {@code output} receives its stdout and stderr
     * lines as they come, on another thread.
     *
     * @throws VmException if no Docker daemon is reachable, the image is not present locally, or a writable
     *                     directory does not exist
     */
    public VmResult run(ContainerSpec spec, Consumer<String> output) {
        for (Path dir : spec.writableDirs()) {
            if (!Files.isDirectory(dir)) {
                throw new VmException("writable directory " + dir + " for the container does not exist; create it");
            }
        }
        DockerClient docker = client();
        List<String> readOnly = List.of();
        String image;
        if (spec.image().isPresent()) {
            image = spec.image().get();
            try {
                docker.inspectImageCmd(image).exec();
            } catch (NotFoundException e) {
                throw new VmException("container image " + image + " is not in the local Docker daemon; build or"
                        + " load it first (images are never pulled)", e);
            }
        } else {
            HostRootImage hostRoot = HostRootImage.ofHost();
            image = hostRoot.ensure(docker);
            readOnly = hostRoot.readOnlyDirs();
        }
        List<Bind> binds = new ArrayList<>();
        readOnly.forEach(dir -> binds.add(new Bind(dir, new Volume(dir), AccessMode.ro)));
        spec.writableDirs().forEach(dir -> binds.add(new Bind(dir.toString(), new Volume(dir.toString()), AccessMode.rw)));
        String script = CommandScript.of(PRELUDE, spec.workingDir(), spec.environment(), spec.command());

        long start = System.nanoTime();
        LineCollector lines = new LineCollector(output);
        try (GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))) {
            container.withImagePullPolicy(name -> false)
                    .withCommand("/bin/sh", "-c", script)
                    .withEnv(spec.environment())
                    .withStartupCheckStrategy(new StartedOrExited())
                    .waitingFor(new NoWait())
                    .withCreateContainerCmdModifier(cmd -> {
                        HostConfig host = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
                        cmd.withHostConfig(host.withCapAdd(Capability.ALL).withCapDrop(Capability.SYS_RESOURCE)
                                .withSecurityOpts(new ArrayList<>(List.of("seccomp=unconfined", "apparmor=unconfined")))
                                .withBinds(new ArrayList<>(binds)));
                        Map<String, String> labels = new HashMap<>(cmd.getLabels() == null ? Map.of() : cmd.getLabels());
                        labels.put(LABEL, "run");
                        cmd.withUser("0").withLabels(labels);
                    });
            try {
                container.start();
            } catch (RuntimeException e) {
                throw new VmException("cannot start a container from " + image + ": " + rootMessage(e), e);
            }
            Duration started = Duration.ofNanos(System.nanoTime() - start);
            String id = container.getContainerId();
            Thread hook = new Thread(() -> removeQuietly(docker, id), "bpfunit-vm-remove-container");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return awaitEnd(docker, id, spec, image, lines, start, started);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // the JVM is shutting down; the hook removes the container
                }
            }
        }
    }

    private static VmResult awaitEnd(DockerClient docker, String id, ContainerSpec spec, String image,
                                     LineCollector lines, long start, Duration started) {
        ResultCallback.Adapter<Frame> logs = docker.logContainerCmd(id).withFollowStream(true)
                .withStdOut(true).withStdErr(true).exec(lines);
        Integer status = null;
        try {
            status = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (DockerClientException timeout) {
            // the command is still running: killed when the container is closed
        }
        if (status != null) {
            try {
                logs.awaitCompletion(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lines.flush();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (status == null) {
            return new VmResult(VmResult.Outcome.TIMEOUT, -1, lines.tail(), Optional.of(started), elapsed,
                    "no result within " + spec.timeout().toSeconds() + " s (container " + image + ", command "
                            + spec.command() + "); the container was killed");
        }
        return new VmResult(VmResult.Outcome.EXITED, status, lines.tail(), Optional.of(started), elapsed, "");
    }

    private static void removeQuietly(DockerClient docker, String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (RuntimeException ignored) {
            // already gone
        }
    }

    private static DockerClient client() {
        try {
            return DockerClientFactory.instance().client();
        } catch (RuntimeException e) {
            throw new VmException("cannot use the Docker daemon through Testcontainers (" + rootMessage(e) + "); start"
                    + " dockerd or set DOCKER_HOST, and where no image registry is reachable set"
                    + " TESTCONTAINERS_CHECKS_DISABLE=true and TESTCONTAINERS_RYUK_DISABLED=true", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + t.getMessage();
    }

    /** The container counts as started once it runs or has already exited (a short command). */
    private static final class StartedOrExited extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            var state = getCurrentState(docker, containerId);
            if (Boolean.TRUE.equals(state.getRunning()) || state.getFinishedAt() != null
                    && !state.getFinishedAt().startsWith("0001-")) {
                return StartupStatus.SUCCESSFUL;
            }
            return StartupStatus.NOT_YET_KNOWN;
        }
    }

    /** The command's end is awaited by the runner, not by a wait strategy. */
    private static final class NoWait extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
        }
    }

    /** Splits the container's stdout and stderr frames into lines, forwards them and keeps the tail. */
    private static final class LineCollector extends ResultCallback.Adapter<Frame> {
        private final Consumer<String> output;
        private final Map<StreamType, ByteArrayOutputStream> partial = new EnumMap<>(StreamType.class);
        private final Deque<String> tail = new ArrayDeque<>();
        private RuntimeException outputError;

        LineCollector(Consumer<String> output) {
            this.output = output;
        }

        @Override
        public synchronized void onNext(Frame frame) {
            ByteArrayOutputStream line = partial.computeIfAbsent(frame.getStreamType(), t -> new ByteArrayOutputStream());
            for (byte b : frame.getPayload()) {
                if (b == '\n') {
                    emit(line);
                } else if (b != '\r') {
                    line.write(b);
                }
            }
        }

        synchronized void flush() {
            partial.values().stream().filter(b -> b.size() > 0).forEach(this::emit);
        }

        private void emit(ByteArrayOutputStream bytes) {
            String text = bytes.toString(StandardCharsets.UTF_8);
            bytes.reset();
            tail.addLast(text);
            if (tail.size() > VmRunner.CONSOLE_TAIL_LINES) {
                tail.removeFirst();
            }
            if (outputError == null) {
                try {
                    output.accept(text);
                } catch (RuntimeException e) {
                    outputError = e;
                }
            }
        }

        synchronized List<String> tail() {
            return List.copyOf(tail);
        }
    }
}
