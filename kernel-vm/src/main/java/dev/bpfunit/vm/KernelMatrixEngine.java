package dev.bpfunit.vm;

import dev.bpfunit.Features;
import dev.bpfunit.junit.BpfTest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.EngineDiscoveryRequest;
import org.junit.platform.engine.EngineExecutionListener;
import org.junit.platform.engine.ExecutionRequest;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.engine.discovery.ClasspathRootSelector;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.discovery.PackageSelector;
import org.junit.platform.engine.discovery.UniqueIdSelector;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.EngineDescriptor;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

/**
 * The JUnit Platform engine of the kernel matrix: it runs the selected {@code @BpfTest} classes (and classes
 * annotated {@link BpfKernels}) in one guest per kernel and reports every test as {@code [kernel 6.1] Class > test}
 * with the outcome, report entries and output it had in the guest.
 *
 * <p>Nothing happens unless kernels are configured ({@link BpfKernels#KERNELS}, {@link BpfKernels @BpfKernels}
 * values, or {@link BpfKernels#FALLBACK} on a JVM without BPF). Discovery asks the other engines on the classpath
 * for the selected classes' tests, so the matrix shows every test before it runs; each kernel's guest then runs
 * its classes with {@link GuestLauncher} and the host replays the guest's events as they are written. A guest that
 * panics, crashes, hangs or fails to boot fails its kernel's container and every test it did not finish, with the
 * console tail.
 */
public final class KernelMatrixEngine implements TestEngine {
    /** The engine id. */
    public static final String ID = BpfKernels.ENGINE_ID;

    private final Supplier<Optional<String>> bpfUnavailable;
    private final KernelRun.Backends backends;

    /** The engine as the JUnit Platform loads it. */
    public KernelMatrixEngine() {
        this(Features::unavailableReason, KernelRun.Backends.real());
    }

    /** For tests: how to tell whether this JVM can use BPF, and the VM and container runners to use. */
    KernelMatrixEngine(Supplier<Optional<String>> bpfUnavailable, KernelRun.Backends backends) {
        this.bpfUnavailable = bpfUnavailable;
        this.backends = backends;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Optional<String> getGroupId() {
        return Optional.of("dev.bpfunit");
    }

    @Override
    public Optional<String> getArtifactId() {
        return Optional.of("bpfunit-kernel-vm");
    }

    @Override
    public TestDescriptor discover(EngineDiscoveryRequest request, UniqueId uniqueId) {
        EngineDescriptor engine = new EngineDescriptor(uniqueId, "bpfunit kernel matrix");
        if (System.getProperty(GuestLauncher.GUEST_PROPERTY) != null) {
            return engine;
        }
        ConfigurationParameters config = request.getConfigurationParameters();
        List<MatrixTarget> configured = configuredKernels(config);
        boolean all = classesSetting(config);
        residentSetting(config); // a wrong value fails here, not once the guests run
        List<DiscoverySelector> selectors = new ArrayList<>();
        Map<String, MatrixTarget> onlyKernelOf = new LinkedHashMap<>();
        for (DiscoverySelector selector : request.getSelectorsByType(DiscoverySelector.class)) {
            if (selector instanceof UniqueIdSelector u) {
                ownUniqueId(u.getUniqueId(), uniqueId).ifPresent(e -> {
                    selectors.add(DiscoverySelectors.selectClass(e.getKey()));
                    onlyKernelOf.put(e.getKey(), e.getValue());
                });
            } else if (selector instanceof ClassSelector || selector instanceof MethodSelector
                    || selector instanceof PackageSelector || selector instanceof ClasspathRootSelector) {
                selectors.add(selector);
            }
        }
        if (selectors.isEmpty() || (configured.isEmpty() && onlyKernelOf.isEmpty() && noOwnKernels(selectors))) {
            return engine;
        }
        TestPlan plan = hostPlan(selectors, config);
        Map<MatrixTarget, List<TestIdentifier>> byKernel = new LinkedHashMap<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier top : plan.getChildren(root)) {
                Optional<Class<?>> testClass = classOf(top);
                if (testClass.isEmpty()) {
                    continue;
                }
                List<MatrixTarget> kernels = kernelsFor(testClass.get(), configured, all);
                MatrixTarget only = onlyKernelOf.get(testClass.get().getName());
                if (only != null) {
                    kernels = List.of(only);
                }
                kernels.forEach(k -> byKernel.computeIfAbsent(k, x -> new ArrayList<>()).add(top));
            }
        }
        byKernel.forEach((target, tops) -> {
            MatrixDescriptor kernel = MatrixDescriptor.kernel(uniqueId, target);
            engine.addChild(kernel);
            for (TestIdentifier top : tops) {
                UniqueId guestRoot = UniqueId.parse(top.getParentId().orElseThrow());
                mirror(plan, top, kernel, kernel.getUniqueId().append(guestRoot.getLastSegment()), target, "");
            }
        });
        return engine;
    }

    /** Adds the host's copy of {@code node} and its descendants under {@code parent}. */
    private static void mirror(TestPlan plan, TestIdentifier node, TestDescriptor parent, UniqueId base,
                               MatrixTarget target, String path) {
        UniqueId original = UniqueId.parse(node.getUniqueId());
        UniqueId id = base;
        List<UniqueId.Segment> segments = original.getSegments();
        for (int i = 1; i < segments.size(); i++) {
            id = id.append(segments.get(i));
        }
        String name = path.isEmpty() ? node.getDisplayName() : path + " > " + node.getDisplayName();
        MatrixDescriptor copy = MatrixDescriptor.mirror(id, node.getDisplayName(), node.getSource().orElse(null),
                node.isTest(), target, name);
        parent.addChild(copy);
        for (TestIdentifier child : plan.getChildren(node)) {
            mirror(plan, child, copy, base, target, name);
        }
    }

    /**
     * True when, without configured kernels, no selected class can name its own: only classes and methods are
     * selected and none of their classes has {@code @BpfKernels} values. This spares every ordinary test run the
     * second discovery.
     */
    private static boolean noOwnKernels(List<DiscoverySelector> selectors) {
        for (DiscoverySelector selector : selectors) {
            Class<?> testClass;
            try {
                if (selector instanceof ClassSelector c) {
                    testClass = c.getJavaClass();
                } else if (selector instanceof MethodSelector m) {
                    testClass = m.getJavaClass();
                } else {
                    return false;
                }
            } catch (RuntimeException e) {
                continue; // a class that cannot be loaded is the other engines' to report
            }
            if (AnnotationSupport.findAnnotation(testClass, BpfKernels.class).filter(a -> a.value().length > 0)
                    .isPresent()) {
                return false;
            }
        }
        return true;
    }

    /** {@code [engine:bpfunit-kernels]/[kernel:6.1]/[engine:junit-jupiter]/[class:X]/...} → X on kernel 6.1. */
    private static Optional<Map.Entry<String, MatrixTarget>> ownUniqueId(UniqueId selected, UniqueId engineId) {
        List<UniqueId.Segment> s = selected.getSegments();
        if (!selected.hasPrefix(engineId) || s.size() < 2 || !s.get(1).getType().equals("kernel")) {
            return Optional.empty();
        }
        return s.stream().filter(seg -> seg.getType().equals("class")).findFirst()
                .map(seg -> Map.entry(seg.getValue(), new MatrixTarget(s.get(1).getValue())));
    }

    /** What the other engines on the classpath find for these selectors, with the same configuration. */
    private static TestPlan hostPlan(List<DiscoverySelector> selectors, ConfigurationParameters config) {
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request().selectors(selectors);
        for (String key : config.keySet()) {
            config.get(key).ifPresent(v -> builder.configurationParameter(key, v));
        }
        try (var session = GuestLauncher.sessionWithoutMatrix(true, java.util.Set.of())) {
            return session.getLauncher().discover(builder.build());
        }
    }

    private static Optional<Class<?>> classOf(TestIdentifier id) {
        Optional<TestSource> source = id.getSource();
        if (source.isPresent() && source.get() instanceof ClassSource cs) {
            return ReflectionSupport.tryToLoadClass(cs.getClassName()).toOptional();
        }
        return Optional.empty();
    }

    private List<MatrixTarget> kernelsFor(Class<?> testClass, List<MatrixTarget> configured, boolean all) {
        Optional<BpfKernels> annotation = AnnotationSupport.findAnnotation(testClass, BpfKernels.class);
        if (annotation.isPresent() && annotation.get().value().length > 0) {
            Set<MatrixTarget> own = new LinkedHashSet<>();
            Arrays.stream(annotation.get().value()).forEach(v -> own.add(new MatrixTarget(v)));
            return List.copyOf(own);
        }
        if (all || annotation.isPresent() || AnnotationSupport.isAnnotated(testClass, BpfTest.class)) {
            return configured;
        }
        return List.of();
    }

    /** The kernels of {@link BpfKernels#KERNELS}, or of {@link BpfKernels#FALLBACK} when this JVM cannot use BPF. */
    private List<MatrixTarget> configuredKernels(ConfigurationParameters config) {
        Optional<String> kernels = setting(config, BpfKernels.KERNELS);
        if (kernels.isPresent()) {
            Set<MatrixTarget> targets = new LinkedHashSet<>();
            for (String k : kernels.get().split(",")) {
                targets.add(new MatrixTarget(k));
            }
            return List.copyOf(targets);
        }
        Optional<String> fallback = setting(config, BpfKernels.FALLBACK);
        if (fallback.isPresent() && bpfUnavailable.get().isPresent()) {
            return List.of(new MatrixTarget(fallback.get()));
        }
        return List.of();
    }

    /**
     * From which run of a machine its saved guest holds the launcher JVM ({@link ResidentJvm}), as
     * {@link BpfKernels#RESIDENT} says: {@code auto} (the default) from the second, {@code true} from the first,
     * {@code false} never.
     */
    static Optional<ResidentJvm.When> residentSetting(ConfigurationParameters config) {
        String value = setting(config, BpfKernels.RESIDENT).orElse("auto");
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> Optional.of(ResidentJvm.When.SECOND_RUN);
            case "true" -> Optional.of(ResidentJvm.When.FIRST_RUN);
            case "false" -> Optional.empty();
            default -> throw new VmException(BpfKernels.RESIDENT + " is '" + value + "': set it to auto, true or false");
        };
    }

    private static boolean classesSetting(ConfigurationParameters config) {
        String value = setting(config, BpfKernels.CLASSES).orElse("annotated");
        return switch (value) {
            case "all" -> true;
            case "annotated" -> false;
            default -> throw new VmException(BpfKernels.CLASSES + " is '" + value + "': set it to annotated or all");
        };
    }

    /** A non-blank configuration parameter, falling back to the system property of the same name. */
    static Optional<String> setting(ConfigurationParameters config, String key) {
        Optional<String> value = config.get(key).or(() -> Optional.ofNullable(System.getProperty(key)));
        return value.map(String::trim).filter(v -> !v.isEmpty());
    }

    /** The VM guests' JVM flags: {@link BpfKernels#JVM}'s, else {@link GuestJava#flags(Accelerator)}. */
    static List<String> guestFlags(ConfigurationParameters config, Accelerator accelerator) {
        return setting(config, BpfKernels.JVM).map(v -> List.of(v.split("\\s+")))
                .orElseGet(() -> GuestJava.flags(accelerator));
    }

    @Override
    public void execute(ExecutionRequest request) {
        TestDescriptor engine = request.getRootTestDescriptor();
        EngineExecutionListener listener = request.getEngineExecutionListener();
        ConfigurationParameters config = request.getConfigurationParameters();
        listener.executionStarted(engine);
        MatrixCoverage coverage = MatrixCoverage.of(config);
        List<MatrixDescriptor> kernels = engine.getChildren().stream().map(MatrixDescriptor.class::cast).toList();
        if (!kernels.isEmpty()) {
            int guestMiB = VmSpec.parseMemoryMiB(setting(config, BpfKernels.MEMORY).orElse("2G"));
            MatrixPlan plan = MatrixPlan.forHost(setting(config, BpfKernels.PARALLEL).orElse("auto"),
                    setting(config, BpfKernels.CPUS).orElse("auto"), kernels.size(), guestMiB);
            Optional<GuestCds.Archive> classData = classData(kernels, config);
            Set<MatrixDescriptor> resident = residentKernels(kernels, config);
            if (plan.parallel() == 1 || kernels.size() == 1) {
                kernels.forEach(k -> new KernelRun(k, listener, config, backends, plan.cpus(), coverage, classData,
                        resident.contains(k)).execute());
            } else {
                runAtOnce(kernels, synchronizedListener(listener), config, plan, coverage, classData, resident);
            }
        }
        coverage.writeReports();
        listener.executionFinished(engine, TestExecutionResult.successful());
    }

    /**
     * The VM kernels whose saved guests may hold a resident JVM ({@link BpfKernels#RESIDENT}): the first
     * {@link VmSnapshots#KEPT_RESIDENT} in the order given, as many as the snapshot store keeps such guests. Were
     * every kernel of a longer matrix allowed one, each run would save guests that push out guests the same run
     * restored, and save those again in the next run (20–25 s each under TCG), restoring none.
     */
    private Set<MatrixDescriptor> residentKernels(List<MatrixDescriptor> kernels, ConfigurationParameters config) {
        List<MatrixDescriptor> vms = kernels.stream().filter(k -> !k.target().container()).toList();
        Set<MatrixDescriptor> allowed = new LinkedHashSet<>(vms.subList(0, Math.min(vms.size(),
                VmSnapshots.KEPT_RESIDENT)));
        if (allowed.size() < vms.size() && residentSetting(config).isPresent()
                && backends.accelerator() == Accelerator.TCG) {
            System.out.println("bpfunit kernel matrix: saved guests keep a resident JVM for the first "
                    + VmSnapshots.KEPT_RESIDENT + " kernels (" + labels(allowed) + ": the snapshot store keeps "
                    + VmSnapshots.KEPT_RESIDENT + " such guests, about 600 MB each); the others start a JVM in each"
                    + " run: " + labels(vms.stream().filter(k -> !allowed.contains(k)).toList()));
        }
        return allowed;
    }

    private static String labels(java.util.Collection<MatrixDescriptor> kernels) {
        return kernels.stream().map(k -> k.target().value()).collect(java.util.stream.Collectors.joining(", "));
    }

    /** Whether the VM guests' JVMs get class-data archives, as {@link BpfKernels#CDS} says (default: yes). */
    static boolean classDataWanted(ConfigurationParameters config) {
        return setting(config, BpfKernels.CDS).map(Boolean::parseBoolean).orElse(true);
    }

    /**
     * The VM guests' class-data archive ({@link GuestCds}), dumped once for all of them before they start: none when
     * every kernel is the container, when {@link BpfKernels#CDS} is {@code false}, or when the guests would not see
     * the cache ({@code <dir>/cds}) at its host path (under {@code /tmp} or {@code /run} outside the working tree).
     */
    private Optional<GuestCds.Archive> classData(List<MatrixDescriptor> kernels, ConfigurationParameters config) {
        List<MatrixDescriptor> vms = kernels.stream().filter(k -> !k.target().container()).toList();
        if (vms.isEmpty() || !classDataWanted(config)) {
            return Optional.empty();
        }
        java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
        java.nio.file.Path cache = KernelRun.classDataCache(config);
        Optional<java.nio.file.Path> hidden = VmRunner.shadowedTop(cache);
        if (hidden.isPresent() && !hidden.equals(VmRunner.shadowedTop(cwd))) {
            System.out.println("bpfunit kernel matrix: no class-data archive for the guests: its cache " + cache
                    + " is under a directory the guest covers with its own tmpfs; set " + BpfKernels.DIR
                    + " inside the working tree");
            return Optional.empty();
        }
        Set<String> classes = new LinkedHashSet<>();
        for (MatrixDescriptor kernel : vms) {
            for (TestDescriptor child : kernel.getChildren()) {
                child.getSource().filter(ClassSource.class::isInstance)
                        .ifPresent(s -> classes.add(((ClassSource) s).getClassName()));
            }
        }
        java.util.Properties training = KernelRun.guestSettings(config);
        training.setProperty(GuestLauncher.CLASSES, String.join(",", classes));
        training.setProperty(GuestLauncher.ENGINES, String.join(",", MatrixDescriptor.guestEngines(vms)));
        KernelRun.guestDefaults(training);
        try {
            List<String> flags = guestFlags(config, backends.accelerator());
            return backends.classData(cache, flags, HostClasspath.entries(), training);
        } catch (RuntimeException e) {
            // the kernels' runs meet the same problem (no QEMU, no classpath) and report it on their tests
            System.out.println("bpfunit kernel matrix: no class-data archive for the guests: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Runs the kernels {@code plan.parallel()} at a time, in the order given, and waits for all of them. */
    private void runAtOnce(List<MatrixDescriptor> kernels, EngineExecutionListener listener,
                           ConfigurationParameters config, MatrixPlan plan, MatrixCoverage coverage,
                           Optional<GuestCds.Archive> classData, Set<MatrixDescriptor> resident) {
        ExecutorService pool = Executors.newFixedThreadPool(plan.parallel(), task -> {
            Thread thread = new Thread(task, "bpfunit-kernel-matrix");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (MatrixDescriptor kernel : kernels) {
                runs.add(pool.submit(() -> new KernelRun(kernel, listener, config, backends, plan.cpus(), coverage,
                        classData, resident.contains(kernel)).execute()));
            }
            RuntimeException first = null;
            for (Future<?> run : runs) {
                try {
                    run.get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                            : new VmException("kernel matrix: " + e.getCause(), e.getCause());
                    if (first == null) {
                        first = cause;
                    } else {
                        first.addSuppressed(cause);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted while the kernel matrix ran", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code listener} with every call made under one lock: the kernels' runs report from their own threads. */
    static EngineExecutionListener synchronizedListener(EngineExecutionListener listener) {
        Object lock = new Object();
        return (EngineExecutionListener) Proxy.newProxyInstance(EngineExecutionListener.class.getClassLoader(),
                new Class<?>[] {EngineExecutionListener.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "synchronized " + listener;
                        };
                    }
                    synchronized (lock) {
                        try {
                            return method.invoke(listener, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
    }
}
