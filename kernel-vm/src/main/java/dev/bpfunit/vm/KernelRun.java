package dev.bpfunit.vm;

import dev.bpfunit.cache.UserCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.engine.EngineExecutionListener;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;

/**
 * One kernel's column of the matrix: writes the request, runs {@link GuestLauncher} in the guest (VM or container),
 * follows the guest's event file while it runs and replays each event on the host's copy of the test, and turns a
 * guest that did not complete the run into failures carrying the console tail.
 */
final class KernelRun {
    private static final Duration POLL = Duration.ofMillis(200);
    /** Settings of the host's engine that mean nothing in the guest. */
    private static final List<String> HOST_ONLY = List.of(BpfKernels.KERNELS, BpfKernels.FALLBACK, BpfKernels.CLASSES,
            BpfKernels.TIMEOUT, BpfKernels.MEMORY, BpfKernels.DIR, BpfKernels.VERBOSE, BpfKernels.PARALLEL, BpfKernels.CPUS,
            BpfKernels.CDS, BpfKernels.RESIDENT);

    /** Where guests run: QEMU and Docker normally, something else in tests. */
    interface Backends {
        KernelImage kernel(String value);

        Accelerator accelerator();

        VmResult runVm(VmSpec spec, Consumer<String> output);

        /** Runs {@code spec}, or hands it to {@code resident} in a restored guest that has one. */
        default VmResult runVm(VmSpec spec, Optional<ResidentJvm> resident, Consumer<String> output) {
            return runVm(spec, output);
        }

        VmResult runContainer(ContainerSpec spec, Consumer<String> output);

        /**
         * The class-data archive for the VM guests ({@link GuestCds#prepare}); none by default, so that tests with
         * fake guests dump nothing.
         */
        default Optional<GuestCds.Archive> classData(Path cache, List<String> flags, List<String> classpath,
                                                     Properties training) {
            return Optional.empty();
        }

        static Backends real() {
            return new Backends() {
                private VmRunner vm;

                @Override
                public Optional<GuestCds.Archive> classData(Path cache, List<String> flags, List<String> classpath,
                                                            Properties training) {
                    return GuestCds.prepare(cache, GuestJava.currentJava(), flags, classpath, training,
                            line -> System.out.println("bpfunit kernel matrix: " + line));
                }

                @Override
                public KernelImage kernel(String value) {
                    return KernelImage.parse(value);
                }

                @Override
                public synchronized Accelerator accelerator() {
                    return vm().accelerator();
                }

                @Override
                public VmResult runVm(VmSpec spec, Consumer<String> output) {
                    return vm().run(spec, output);
                }

                @Override
                public VmResult runVm(VmSpec spec, Optional<ResidentJvm> resident, Consumer<String> output) {
                    return vm().run(spec, resident, output);
                }

                @Override
                public VmResult runContainer(ContainerSpec spec, Consumer<String> output) {
                    return new ContainerRunner().run(spec, output);
                }

                private synchronized VmRunner vm() {
                    if (vm == null) {
                        vm = new VmRunner();
                    }
                    return vm;
                }
            };
        }
    }

    private final MatrixDescriptor kernel;
    private final EngineExecutionListener listener;
    private final ConfigurationParameters config;
    private final Backends backends;
    private final Map<UniqueId, TestDescriptor> nodes = new HashMap<>();
    private final Set<TestDescriptor> started = new HashSet<>();
    private final Set<TestDescriptor> ended = new HashSet<>();
    private Optional<Throwable> guestEngineFailure = Optional.empty();
    private boolean done;
    private final int cpus;
    /** When the guest was asked for ({@link System#nanoTime()}), and how long until its first test started. */
    private long runStart;
    private Duration firstTest;

    private final MatrixCoverage coverage;
    private final boolean residentAllowed;
    /** The VM guests' class-data archive, if there is one. */
    private final Optional<GuestCds.Archive> classData;
    /** What the guest said of its classes and the archive ({@link GuestLauncher#CLASS_DATA}), if it did. */
    private String classDataReport;
    /** What the guest said of its JVM's start-up ({@link GuestLauncher#JVM_TIMES}), if it did. */
    private String jvmTimesReport;

    /**
     * @param residentAllowed whether this kernel's saved guest may hold a resident JVM, as {@link BpfKernels#RESIDENT}
     *                        says (the matrix allows it for as many kernels as the snapshot store keeps such guests)
     */
    KernelRun(MatrixDescriptor kernel, EngineExecutionListener listener, ConfigurationParameters config,
              Backends backends, int cpus, MatrixCoverage coverage, Optional<GuestCds.Archive> classData,
              boolean residentAllowed) {
        this.residentAllowed = residentAllowed;
        this.classData = classData;
        this.coverage = coverage;
        this.kernel = kernel;
        this.listener = listener;
        this.config = config;
        this.backends = backends;
        this.cpus = cpus;
        index(kernel);
    }

    private void index(TestDescriptor node) {
        nodes.put(node.getUniqueId(), node);
        node.getChildren().forEach(this::index);
    }

    void execute() {
        listener.executionStarted(kernel);
        started.add(kernel);
        MatrixTarget target = kernel.target();
        VmResult result;
        Path events;
        try {
            Path dir = runsDir(config).resolve(target.fileName());
            Files.createDirectories(dir);
            events = dir.resolve("events.txt");
            Files.deleteIfExists(events);
            MatrixCoverage.clear(dir);
            Path request = dir.resolve("request.properties");
            writeRequest(request, dir);
            runStart = System.nanoTime();
            result = runGuest(target, dir, request, events);
            coverage.collect(dir);
        } catch (IOException e) {
            fail(new VmException(target.label() + ": cannot write the run directory: " + e.getMessage(), e));
            return;
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        String first = firstTest == null ? "-" : String.format("%.1f s", firstTest.toMillis() / 1000.0);
        report(kernel, Map.of("outcome", result.outcome().text(), "elapsed", result.elapsed().toMillis() + " ms",
                "bootTime", result.bootTime().map(d -> d.toMillis() + " ms").orElse("-"),
                "start", result.start().text(),
                "firstTest", firstTest == null ? "-" : firstTest.toMillis() + " ms"));
        System.out.printf("bpfunit kernel matrix: %s %s; boot %s, first test %s, whole run %.1f s%s%s%s%n",
                target.label(), result.outcome() == VmResult.Outcome.EXITED ? "ran its tests" : result.outcome().text(),
                result.bootTime().map(d -> String.format("%.1f s", d.toMillis() / 1000.0)).orElse("-")
                        + result.start().afterBootTime(), first,
                result.elapsed().toMillis() / 1000.0, target.container() ? "" : " (" + cpus + " CPU"
                        + (cpus == 1 ? ")" : "s)"), jvmTimesReport == null ? "" : "; " + jvmTimesReport,
                classDataReport == null ? "" : "; " + classDataReport);
        if (result.outcome() != VmResult.Outcome.EXITED) {
            fail(new VmFailureException(result));
        } else if (result.exitCode() != 0 || !done) {
            fail(new VmException(target.label() + ": the guest's test launcher ended with status " + result.exitCode()
                    + " without completing the run\n" + result.describe()));
        } else if (guestEngineFailure.isPresent()) {
            fail(guestEngineFailure.get());
        } else {
            endUnreported(kernel, "the guest did not run it (its test plan differs from the host's)");
            listener.executionFinished(kernel, TestExecutionResult.successful());
        }
    }

    /** The directory of the kernels' run files ({@link BpfKernels#DIR}), absolute. */
    static Path runsDir(ConfigurationParameters config) {
        return Path.of(KernelMatrixEngine.setting(config, BpfKernels.DIR).orElse("target/bpfunit-kernels"))
                .toAbsolutePath().normalize();
    }

    /** Where the guests' class-data archives are kept ({@link GuestCds}): {@code cds} in the {@link #runsDir}. */
    static Path classDataCache(ConfigurationParameters config) {
        return runsDir(config).resolve("cds");
    }

    /** Every configuration parameter (and {@code bpfunit.*} system property) the guest's engines should see. */
    static Properties guestSettings(ConfigurationParameters config) {
        Properties p = new Properties();
        for (String key : config.keySet()) {
            if (!HOST_ONLY.contains(key)) {
                config.get(key).ifPresent(v -> p.setProperty(key, v));
            }
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("bpfunit.") && !HOST_ONLY.contains(key) && !p.containsKey(key)) {
                p.setProperty(key, System.getProperty(key));
            }
        }
        return p;
    }

    /** The settings every guest has unless configured otherwise: output captured, BPF required. */
    static void guestDefaults(Properties p) {
        p.putIfAbsent("junit.platform.output.capture.stdout", "true");
        p.putIfAbsent("junit.platform.output.capture.stderr", "true");
        // in the guest, BPF must work: a test that would be skipped for lack of it is a failure there
        p.putIfAbsent("bpfunit.require", "true");
    }

    /** The request: the classes, and every configuration parameter the guest's engines should see. */
    private void writeRequest(Path request, Path dir) throws IOException {
        Properties p = guestSettings(config);
        guestDefaults(p);
        p.putIfAbsent("bpfunit.log.dir", dir.resolve("verifier-logs").toString());
        // the guest's coverage (when on) goes to its run directory, named after its kernel; the host merges it
        MatrixCoverage.request(p, dir, kernel.target());
        List<String> classes = new ArrayList<>();
        for (TestDescriptor child : kernel.getChildren()) {
            child.getSource().filter(ClassSource.class::isInstance)
                    .ifPresent(s -> classes.add(((ClassSource) s).getClassName()));
        }
        p.setProperty(GuestLauncher.CLASSES, String.join(",", classes));
        p.setProperty(GuestLauncher.ENGINES, String.join(",", MatrixDescriptor.guestEngines(List.of(kernel))));
        try (Writer out = Files.newBufferedWriter(request, StandardCharsets.UTF_8)) {
            p.store(out, "bpfunit kernel matrix: " + kernel.target().label());
        }
    }

    private VmResult runGuest(MatrixTarget target, Path dir, Path request, Path events) {
        Duration timeout = VmSpec.parseDuration(KernelMatrixEngine.setting(config, BpfKernels.TIMEOUT).orElse("30m"));
        boolean verbose = KernelMatrixEngine.setting(config, BpfKernels.VERBOSE).map(Boolean::parseBoolean).orElse(false);
        Consumer<String> output = verbose ? line -> System.out.println(target.label() + " " + line) : line -> { };
        Path cwd = Path.of("").toAbsolutePath();
        List<String> classpath = HostClasspath.entries();
        List<String> jvmArgs = new ArrayList<>(List.of("-D" + GuestLauncher.GUEST_PROPERTY + "=" + target.value(),
                "-Djava.io.tmpdir=/tmp"));
        // the kernel BTF and JNA caches, shared writable: a guest's JVMs map the BTF of its kernel kept by an
        // earlier run (keyed by the kernel's build id) instead of reading and indexing it under emulation
        Map<String, Path> caches = UserCache.sharedWithGuests();
        caches.forEach((property, cacheDir) -> jvmArgs.add("-D" + property + "=" + cacheDir));
        List<String> args = List.of(request.toString(), events.toString());
        CompletableFuture<VmResult> run;
        if (target.container()) {
            List<String> command = GuestJava.command(Accelerator.KVM, jvmArgs, String.join(":", classpath),
                    GuestLauncher.class.getName(), args);
            ContainerSpec spec = ContainerSpec.of(command).withWorkingDir(cwd).withTimeout(timeout);
            List<Path> roots = HostClasspath.mountRoots(classpath, cwd);
            for (Path root : roots) {
                spec = spec.withWritableDir(root);
            }
            // the directory the tests find their BPF objects in may lie outside the project (a C build's output)
            Optional<Path> objects = objectsDir().filter(d -> roots.stream().noneMatch(d::startsWith));
            if (objects.isPresent()) {
                spec = spec.withWritableDir(objects.get());
            }
            for (Path cacheDir : caches.values()) {
                spec = spec.withWritableDir(cacheDir);
            }
            ContainerSpec finalSpec = spec.withWritableDir(dir);
            run = CompletableFuture.supplyAsync(() -> backends.runContainer(finalSpec, output));
        } else {
            KernelImage image = backends.kernel(target.value());
            report(kernel, Map.of("kernel", image.name()));
            // the guest logs its class loading to its own tmpfs and reports how much came from the archive
            List<String> vmJvmArgs = new ArrayList<>(jvmArgs);
            classData.ifPresent(archive -> vmJvmArgs.addAll(archive.jvmArgs()));
            vmJvmArgs.add(GuestCds.GUEST_LOG_FLAG);
            vmJvmArgs.add("-D" + GuestLauncher.CLASS_DATA_PROPERTY + "=" + classData.isPresent());
            String vmClasspath = String.join(":", classData.map(GuestCds.Archive::classpath).orElse(classpath));
            List<String> flags = KernelMatrixEngine.guestFlags(config, backends.accelerator());
            List<String> command = GuestJava.command(flags, vmJvmArgs, vmClasspath, GuestLauncher.class.getName(), args);
            VmSpec shared = VmSpec.of(image, command).withWorkingDir(cwd).withTimeout(timeout).withWritableDir(dir)
                    .withMemory(KernelMatrixEngine.setting(config, BpfKernels.MEMORY).orElse("2G")).withCpus(cpus)
                    .withExtraModules(GuestInit.fixtureModules(image));
            for (Path cacheDir : caches.values()) {
                shared = shared.withWritableDir(cacheDir);
            }
            VmSpec spec = shared;
            // in a saved guest, a JVM saved with it takes the run (no JVM start, no cold discovery)
            Optional<ResidentJvm.When> residentFrom = KernelMatrixEngine.residentSetting(config);
            Optional<ResidentJvm> resident = residentFrom.isPresent() && residentAllowed
                    && backends.accelerator() == Accelerator.TCG
                    ? ResidentJvm.forLauncher(flags, jvmArgs, classpath, cwd, spec.environment(), request, events,
                                    KernelMatrixEngine.classDataWanted(config)
                                            ? Optional.of(classDataCache(config)) : Optional.empty())
                            .map(jvm -> jvm.from(residentFrom.get()))
                    : Optional.empty();
            run = CompletableFuture.supplyAsync(() -> backends.runVm(spec, resident, output));
        }
        return follow(run, events);
    }

    /** The directory {@code bpfunit.objects.dir} names (configuration parameter or system property), if it exists. */
    private Optional<Path> objectsDir() {
        return KernelMatrixEngine.setting(config, dev.bpfunit.junit.BpfTest.OBJECTS_DIR)
                .map(d -> Path.of(d).toAbsolutePath().normalize()).filter(java.nio.file.Files::isDirectory);
    }

    /** Replays the event file's complete lines while the guest runs, then the rest. */
    private VmResult follow(CompletableFuture<VmResult> run, Path events) {
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        while (true) {
            VmResult result = null;
            try {
                result = run.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // still running: read what it wrote so far
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException(kernel.target().label() + ": interrupted while the guest ran", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r
                        : new VmException(kernel.target().label() + ": " + e.getCause(), e.getCause());
            }
            offset = readNew(events, offset, partial);
            if (result != null) {
                return result;
            }
        }
    }

    private long readNew(Path events, long offset, StringBuilder partial) {
        if (!Files.exists(events)) {
            return offset;
        }
        try (var channel = Files.newByteChannel(events)) {
            if (channel.size() <= offset) {
                return offset;
            }
            channel.position(offset);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(channel.size() - offset, 1 << 24));
            int read = channel.read(buffer);
            if (read <= 0) {
                return offset;
            }
            byte[] bytes = java.util.Arrays.copyOf(buffer.array(), read);
            int lastBreak = -1;
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    lastBreak = i;
                    break;
                }
            }
            if (lastBreak < 0) {
                return offset;
            }
            String text = new String(bytes, 0, lastBreak, StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) {
                    replay(GuestEvent.decode(line));
                }
            }
            return offset + lastBreak + 1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guest's event file " + events, e);
        }
    }

    private void replay(GuestEvent event) {
        if (event.kind() == GuestEvent.Kind.DONE) {
            done = true;
            return;
        }
        UniqueId guestId = UniqueId.parse(event.field(0));
        boolean guestEngine = guestId.getSegments().size() == 1;
        TestDescriptor node = guestEngine ? kernel : nodes.get(hostId(guestId));
        switch (event.kind()) {
            case REGISTERED -> {
                TestDescriptor parent = nodes.get(hostId(UniqueId.parse(event.field(1))));
                if (parent != null && !nodes.containsKey(hostId(guestId))) {
                    String path = parent.getLegacyReportingName().substring(kernel.target().label().length() + 1);
                    MatrixDescriptor added = MatrixDescriptor.mirror(hostId(guestId), event.field(3),
                            parent.getSource().orElse(null), event.field(2).equals("TEST"), kernel.target(),
                            path + " > " + event.field(3));
                    parent.addChild(added);
                    nodes.put(added.getUniqueId(), added);
                    listener.dynamicTestRegistered(added);
                }
            }
            case STARTED -> {
                if (firstTest == null && node != null && node.isTest()) {
                    firstTest = Duration.ofNanos(System.nanoTime() - runStart);
                }
                if (node != null && !guestEngine) {
                    listener.executionStarted(node);
                    started.add(node);
                }
            }
            case SKIPPED -> {
                if (node != null && !guestEngine) {
                    listener.executionSkipped(node, event.field(1));
                    markEnded(node);
                }
            }
            case FINISHED -> {
                TestExecutionResult result = result(event);
                if (guestEngine) {
                    guestEngineFailure = result.getThrowable();
                } else if (node != null) {
                    endUnreported(node, "the guest did not report it");
                    listener.executionFinished(node, result);
                    ended.add(node);
                }
            }
            case REPORTED -> {
                Map<String, String> values = new LinkedHashMap<>();
                for (int i = 1; i + 1 < event.fields().size(); i += 2) {
                    values.put(event.field(i), event.field(i + 1));
                }
                if (guestEngine && values.containsKey(GuestLauncher.CLASS_DATA)) {
                    classDataReport = values.get(GuestLauncher.CLASS_DATA);
                }
                if (guestEngine && values.containsKey(GuestLauncher.JVM_TIMES)) {
                    jvmTimesReport = values.get(GuestLauncher.JVM_TIMES);
                }
                if (!values.isEmpty()) {
                    listener.reportingEntryPublished(node != null ? node : kernel, ReportEntry.from(values));
                }
            }
            default -> throw new IllegalStateException("unhandled guest event " + event.kind());
        }
    }

    private TestExecutionResult result(GuestEvent event) {
        String status = event.field(1);
        Optional<Throwable> throwable = GuestEvent.deserialize(event.field(2));
        if (throwable.isEmpty() && !event.field(3).isEmpty()) {
            throwable = Optional.of(new GuestThrowable(event.field(3)));
        }
        return switch (status) {
            case "SUCCESSFUL" -> TestExecutionResult.successful();
            case "ABORTED" -> TestExecutionResult.aborted(throwable.orElse(null));
            case "FAILED" -> TestExecutionResult.failed(throwable.orElse(null));
            default -> throw new VmException("guest event has an unknown status '" + status + "': " + event.encode());
        };
    }

    private UniqueId hostId(UniqueId guestId) {
        UniqueId id = kernel.getUniqueId();
        for (UniqueId.Segment segment : guestId.getSegments()) {
            id = id.append(segment);
        }
        return id;
    }

    private void markEnded(TestDescriptor node) {
        ended.add(node);
        node.getChildren().forEach(this::markEnded);
    }

    /** Children of a finished node that the guest never mentioned are reported skipped, so none is left open. */
    private void endUnreported(TestDescriptor node, String reason) {
        for (TestDescriptor child : node.getChildren()) {
            if (!started.contains(child) && !ended.contains(child)) {
                listener.executionSkipped(child, reason);
                markEnded(child);
            }
        }
    }

    /**
     * The guest did not complete the run: each test or container it started and did not finish fails with
     * {@code cause}, each it never started fails saying it was not run, and so does the kernel's container.
     */
    private void fail(Throwable cause) {
        finishOpen(kernel, cause);
    }

    private void finishOpen(TestDescriptor node, Throwable cause) {
        for (TestDescriptor child : node.getChildren()) {
            if (ended.contains(child)) {
                continue;
            }
            if (!started.contains(child)) {
                listener.executionStarted(child);
                started.add(child);
                finishOpen(child, cause);
                listener.executionFinished(child, TestExecutionResult.failed(new VmException("not run: "
                        + kernel.target().label() + " failed: " + firstLine(cause))));
            } else {
                finishOpen(child, cause);
                listener.executionFinished(child, TestExecutionResult.failed(cause));
            }
            ended.add(child);
        }
        if (node == kernel) {
            listener.executionFinished(kernel, TestExecutionResult.failed(cause));
            ended.add(kernel);
        }
    }

    private static String firstLine(Throwable t) {
        String message = String.valueOf(t.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    private void report(TestDescriptor node, Map<String, String> values) {
        listener.reportingEntryPublished(node, ReportEntry.from(values));
    }
}
