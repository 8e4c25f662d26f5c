package dev.bpfunit.vm;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.BadRequestException;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a command as root in a Docker container with the privileges BPF needs, and reports how it ended
 * ({@link VmResult}; a container has no kernel of its own, so the kernel is the host's).
 *
 * <p>The container is driven with docker-java's commands on a client of {@link DockerDaemon} (not through
 * Testcontainers' {@code GenericContainer}, which looks up the Docker host's address and may pull images first:
 * see there why). It runs with Docker's default seccomp profile and only the capabilities listed in
 * {@link #CAPABILITIES}, each for a stated reason; AppArmor is off for it because Docker's default AppArmor profile
 * forbids mount(2), which bpffs, tracefs and the tests' own mounts need. bpffs, debugfs and tracefs are mounted
 * before the command. It shares the host's pid namespace, because the pids BPF programs see and report are the
 * initial namespace's. The container is removed on every path (also by a shutdown hook), so no reaper is needed.
 */
public final class ContainerRunner {
    /** Mounts the BPF-related filesystems the way the VM's init does; failures are left to the command to notice. */
    static final String PRELUDE = "mount -t bpf bpf /sys/fs/bpf 2>/dev/null\n"
            + "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
            + "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null\n"
            // Docker mounts the container's cgroup file system read-only; cgroup fixtures make directories in cgroup2,
            // which a host with the v1 (or hybrid) layout does not give the container at all
            + "mount -o remount,rw /sys/fs/cgroup 2>/dev/null\n"
            + "grep -q ' cgroup2 ' /proc/mounts || { mkdir -p /sys/fs/cgroup/unified 2>/dev/null;"
            + " mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified 2>/dev/null; }\n";
    /**
     * The only capabilities the container's root has (every other one, Docker's defaults included, is dropped).
     * Each is here for BPF tests or for the command's root to use the shared directories:
     * <ul>
     * <li>{@code BPF}: creating maps, loading programs, BTF (kernel 5.8+);</li>
     * <li>{@code PERFMON}: tracing programs, perf events, and the verifier's pointer arithmetic and reads that need
     *     {@code perfmon_capable()} (5.8+);</li>
     * <li>{@code NET_ADMIN}: networking program types (XDP, TC, cgroup skb...), attaching them, creating veth pairs
     *     and configuring links over netlink;</li>
     * <li>{@code SYS_ADMIN}: mount(2) of bpffs, tracefs and debugfs, unshare(2)/setns(2) of network namespaces, the
     *     BPF commands the kernel keeps for it (listing objects by id: {@code BPF_*_GET_NEXT_ID},
     *     {@code BPF_*_GET_FD_BY_ID}, as {@code bpftool prog show} does), and BPF itself where the kernel or Docker
     *     does not know CAP_BPF; Docker's seccomp profile also allows mount, unshare and setns only with it;</li>
     * <li>{@code SYSLOG}: kernel symbol addresses in {@code /proc/kallsyms}, which the loader resolves ksym externs
     *     ({@code __ksym}) with; unless {@code kptr_restrict} is 0 and {@code perf_event_paranoid} at most 1, the
     *     kernel shows them only to CAP_SYSLOG ({@code kallsyms_show_value()}), to others as 0;</li>
     * <li>{@code NET_RAW}: packet sockets (AF_PACKET) and raw sockets that tests send and capture packets with;</li>
     * <li>{@code CHOWN}, {@code DAC_OVERRIDE}, {@code FOWNER}: the command's root writes and reads the shared
     *     writable directories (the project, {@code ~/.m2}), which may belong to another user on the host.</li>
     * </ul>
     * Not granted, among others: SYS_MODULE, SYS_RAWIO, SYS_RESOURCE, DAC_READ_SEARCH, SYS_PTRACE, MKNOD.
     */
    static final List<Capability> CAPABILITIES = List.of(Capability.BPF, Capability.PERFMON, Capability.NET_ADMIN,
            Capability.SYS_ADMIN, Capability.SYSLOG, Capability.NET_RAW,
            Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER);
    /** Capabilities of Linux 5.8 that Docker 20.10 does not know (see {@link #create}). */
    private static final List<Capability> NEWER_CAPABILITIES = List.of(Capability.BPF, Capability.PERFMON);
    /** Docker's default AppArmor profile denies mount(2); seccomp keeps Docker's default profile. */
    static final List<String> SECURITY_OPTS = List.of("apparmor=unconfined");
    private static final String LABEL = "dev.bpfunit.vm";

    /** True if the Docker daemon ({@code DOCKER_HOST}, else {@value DockerDaemon#DEFAULT_SOCKET}) answers. */
    public static boolean dockerAvailable() {
        return DockerDaemon.fromEnvironment().answers();
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
        try (DockerClient docker = DockerDaemon.fromEnvironment().connect()) {
            return run(docker, spec, output);
        } catch (IOException e) {
            throw new VmException("cannot close the connection to the Docker daemon: " + e.getMessage(), e);
        }
    }

    private VmResult run(DockerClient docker, ContainerSpec spec, Consumer<String> output) {
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
        List<String> env = new ArrayList<>();
        spec.environment().forEach((k, v) -> env.add(k + "=" + v));

        long start = System.nanoTime();
        LineCollector lines = new LineCollector(output);
        String id = create(docker, image, script, env, binds);
        Thread hook = new Thread(() -> removeQuietly(docker, id), "bpfunit-vm-remove-container");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            try {
                docker.startContainerCmd(id).exec();
            } catch (RuntimeException e) {
                throw new VmException("cannot start a container from " + image + ": " + rootMessage(e), e);
            }
            Duration started = Duration.ofNanos(System.nanoTime() - start);
            return awaitEnd(docker, id, spec, image, lines, start, started);
        } finally {
            removeQuietly(docker, id);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down; the hook removes the container
            }
        }
    }

    /**
     * Creates the container with {@link #CAPABILITIES}; a daemon that does not know CAP_BPF and CAP_PERFMON (Docker
     * 20.10, Debian 12's) refuses them by name, and the container is then created without them: the kernel grants
     * what they grant to CAP_SYS_ADMIN as well ({@code bpf_capable()}, {@code perfmon_capable()}).
     */
    private static String create(DockerClient docker, String image, String script, List<String> env,
                                 List<Bind> binds) {
        try {
            try {
                return create(docker, image, script, env, binds, CAPABILITIES);
            } catch (BadRequestException e) {
                if (!String.valueOf(e.getMessage()).contains("unknown capability")) {
                    throw e;
                }
                List<Capability> known = new ArrayList<>(CAPABILITIES);
                known.removeAll(NEWER_CAPABILITIES);
                return create(docker, image, script, env, binds, known);
            }
        } catch (RuntimeException e) {
            throw new VmException("cannot create a container from " + image + ": " + rootMessage(e), e);
        }
    }

    private static String create(DockerClient docker, String image, String script, List<String> env,
                                 List<Bind> binds, List<Capability> capabilities) {
        return docker.createContainerCmd(image)
                .withCmd("/bin/sh", "-c", script)
                .withEnv(env)
                .withUser("0")
                .withLabels(Map.of(LABEL, "run"))
                .withHostConfig(HostConfig.newHostConfig()
                        .withCapDrop(Capability.ALL)
                        .withCapAdd(capabilities.toArray(Capability[]::new))
                        .withSecurityOpts(new ArrayList<>(SECURITY_OPTS))
                        // the host's pid namespace: BPF helpers (bpf_get_current_pid_tgid, perf and trace records)
                        // report pids of the initial namespace, so a test that filters by its own pid must see the
                        // same numbers as its programs do
                        .withPidMode("host")
                        .withBinds(binds))
                .exec().getId();
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
            // the command is still running: killed when the container is removed (forced)
        }
        if (status != null) {
            try {
                logs.awaitCompletion(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            logs.close();
        } catch (IOException ignored) {
            // the stream ended or breaks when the container goes
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

    /** The exception's message and, when it was caused by another one, the root cause's, each once. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = String.valueOf(e.getMessage());
        return t == e || t.getMessage() == null || message.endsWith(t.getMessage()) ? message
                : message + ": " + t.getMessage();
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
