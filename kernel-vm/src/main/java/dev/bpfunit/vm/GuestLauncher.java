package dev.bpfunit.vm;

import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.DeclaredObjects;
import dev.bpfunit.sys.ProcessRoot;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.platform.commons.support.ReflectionSupport;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The main class a kernel-matrix guest runs: it runs the requested test classes with the JUnit Platform
 * Launcher (every engine on the classpath but the kernel-matrix engine itself) and writes each event as one
 * {@link GuestEvent} line to the event file, flushed at once so the host can follow it while the guest runs.
 *
 * <p>Arguments: the request file (a properties file: {@value #CLASSES} lists the classes, comma-separated;
 * every other property is passed as a configuration parameter) and the event file to write.
 * Exit status 0 when the run completed (whatever the tests' results), 2 when it could not run.
 */
public final class GuestLauncher {
    /** The request property listing the test classes to run, comma-separated. */
    static final String CLASSES = "bpfunit.guest.classes";
    /** Set in the guest JVM so that nothing in it starts another matrix. */
    static final String GUEST_PROPERTY = "bpfunit.guest";
    /**
     * Set in a VM guest's JVM, which logs its class loading to {@link GuestCds#GUEST_LOG}: {@code true} when it was
     * given a class-data archive. The launcher reports what the log says of the classes loaded before the first
     * test as the kernel's {@link #CLASS_DATA} report entry.
     */
    static final String CLASS_DATA_PROPERTY = "bpfunit.guest.classData";
    /** The report entry (on the kernel's container) saying how many classes came from the class-data archive. */
    static final String CLASS_DATA = "classData";
    /**
     * The report entry (on the kernel's container) saying how long the guest JVM took from its start to its
     * {@code main}, to the end of discovery and to its first test: {@code JVM start → main 1.4 s, discovery done
     * 9.2 s, first test 10.1 s}.
     */
    static final String JVM_TIMES = "guestJvm";
    /**
     * The request's comma-separated ids of the engines that found the classes on the host (none: every engine).
     * Only they run in the guest: another engine would only spend its discovery (seconds under TCG) finding nothing.
     */
    static final String ENGINES = "bpfunit.guest.engines";
    /** The first argument of a {@link ResidentJvm}'s launcher. */
    static final String RESIDENT = "--resident";
    /** The first argument of the class-data archive's training run: the user's tests are discovered, never run. */
    static final String TRAIN = "--train";
    /** {@link #GUEST_PROPERTY}'s value in the training run. */
    static final String TRAINING = "class-data-training";
    /** The warm-up test class the training run executes when Jupiter is on the classpath. */
    private static final String WARM_UP = "dev.bpfunit.vm.GuestWarmUp";
    /** The unique id the launcher's own report entries are published under (the host puts them on the kernel). */
    private static final String OWN_ID = "[engine:bpfunit-guest]";

    private GuestLauncher() {
    }

    public static void main(String[] args) {
        boolean train = args.length == 3 && args[0].equals(TRAIN);
        boolean resident = args.length == 3 && args[0].equals(RESIDENT);
        if (args.length != 2 && !train && !resident) {
            System.err.println("usage: GuestLauncher [" + TRAIN + "] <request.properties> <events file>\n"
                    + "       GuestLauncher " + RESIDENT + " <ready file> <request pipe>");
            System.exit(2);
        }
        try {
            if (resident) {
                resident(Path.of(args[1]), Path.of(args[2]));
            } else if (train) {
                train(Path.of(args[1]), Path.of(args[2]));
            } else {
                run(Path.of(args[0]), Path.of(args[1]));
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("bpfunit guest launcher failed:");
            e.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }

    /**
     * The resident JVM ({@link ResidentJvm}), started in the guest before it is saved: warms up (runs
     * {@link GuestWarmUp} through the launcher, as the class-data training does), creates {@code readyFile} and
     * waits for a line on {@code requestPipe}: the hand-off file's path, given after the restore once the host is
     * mounted. Then it moves into the host's root and working directory, adds the class path entries it was not
     * started with ({@link #testsLoader}) and runs the request as {@link #run} does.
     */
    static void resident(Path readyFile, Path requestPipe) throws IOException {
        int trained = warmUp();
        Files.writeString(readyFile, "ready\n");
        String handOffFile;
        try (BufferedReader in = Files.newBufferedReader(requestPipe, StandardCharsets.UTF_8)) {
            handOffFile = in.readLine();
        }
        if (handOffFile == null || handOffFile.isBlank()) {
            throw new IOException("no hand-off file came through " + requestPipe);
        }
        Instant handedOver = Instant.now();
        Properties handOff = request(Path.of(handOffFile.strip()));
        ProcessRoot.change(Path.of(required(handOff, ResidentJvm.ROOT)),
                Path.of(required(handOff, ResidentJvm.WORKING_DIR)));
        String classpath = required(handOff, ResidentJvm.CLASSPATH);
        Set<Path> own = new HashSet<>();
        for (String entry : System.getProperty("java.class.path", "").split(":")) {
            if (!entry.isEmpty()) {
                own.add(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        List<URL> added = new ArrayList<>();
        for (String entry : classpath.split(":")) {
            Path path = entry.isEmpty() ? null : Path.of(entry).toAbsolutePath().normalize();
            if (path != null && !own.contains(path)) {
                added.add(path.toUri().toURL());
            }
        }
        System.setProperty("java.class.path", classpath);
        Thread.currentThread().setContextClassLoader(testsLoader(added));
        run(Path.of(required(handOff, ResidentJvm.REQUEST_FILE)), Path.of(required(handOff, ResidentJvm.EVENTS_FILE)),
                new JvmTimes(handedOver, trained));
    }

    /**
     * The class loader of the class path entries the resident JVM was started without ({@code urls}): the application
     * class loader itself, with them appended to its path as an agent's {@code appendToSystemClassLoaderSearch} does
     * (through {@code appendToClassPathForInstrumentation}, opened to this launcher by
     * {@link ResidentJvm#JVM_FLAGS}), so the tests' classes are where they are in a JVM started with them:
     * {@code ClassLoader.getSystemClassLoader()} and {@code Class.forName} from a library's class find them. A JVM
     * that does not let it (started without that flag, or a JDK without that method) gets a loader of their own, a
     * child of the application class loader.
     */
    static ClassLoader testsLoader(List<URL> urls) {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        try {
            Method append = system.getClass()
                    .getDeclaredMethod("appendToClassPathForInstrumentation", String.class);
            append.setAccessible(true);
            for (URL url : urls) {
                append.invoke(system, Path.of(url.toURI()).toString());
            }
            return system;
        } catch (ReflectiveOperationException | RuntimeException | URISyntaxException e) {
            System.err.println("bpfunit-vm: the resident JVM loads the tests' classes through a class loader of their"
                    + " own (" + e + ")");
            return new URLClassLoader("bpfunit-guest-tests", urls.toArray(URL[]::new), system);
        }
    }

    private static String required(Properties handOff, String key) throws IOException {
        String value = handOff.getProperty(key);
        if (value == null) {
            throw new IOException("the resident JVM's hand-off has no " + key);
        }
        return value;
    }

    /**
     * What the resident JVM does before it is saved: binds its native calls (JNA's library unpacked and loaded), then
     * runs {@link GuestWarmUp} through a launcher session, as the training run's end, its events thrown away, and
     * discovers the run's tests when the initramfs holds a {@link ResidentJvm#TRAINING_FILE}
     * ({@link #discoverTraining}); with {@link #GUEST_PROPERTY} set to {@link #TRAINING} meanwhile.
     */
    private static int warmUp() {
        ProcessRoot.bindNativeCalls();
        String guest = System.getProperty(GUEST_PROPERTY);
        System.setProperty(GUEST_PROPERTY, TRAINING);
        try {
            try (LauncherSession session = sessionWithoutMatrix(false, Set.of())) {
                Launcher launcher = session.getLauncher();
                EventWriter writer = new EventWriter(new BufferedWriter(Writer.nullWriter()), new JvmTimes());
                for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                    // the later rounds capture the output, as Maven Surefire's runs ask (OUTPUT_CAPTURE)
                    runWarmUp(launcher, writer, round == 0 ? Map.of() : OUTPUT_CAPTURE);
                }
            }
            Path training = Path.of(ResidentJvm.TRAINING_FILE);
            return Files.isRegularFile(training) ? discoverTraining(training) : 0;
        } finally {
            if (guest == null) {
                System.clearProperty(GUEST_PROPERTY);
            } else {
                System.setProperty(GUEST_PROPERTY, guest);
            }
        }
    }

    /**
     * The resident JVM's training ({@link ResidentJvm.Training}): discovers the classes {@code file} names, loaded
     * from its jars by a class loader of their own (a child of the application class loader, dropped afterwards), with
     * the engines it names; then deletes the training's files, whose memory the saved guest need not keep. Best
     * effort: a class that cannot be loaded is left out, and a discovery that fails only says so on stderr.
     *
     * @return how many classes it discovered: 0 when the discovery failed
     */
    static int discoverTraining(Path file) {
        Properties training;
        try {
            training = request(file);
        } catch (IOException e) {
            System.err.println("bpfunit-vm: the resident JVM's training is not readable: " + e);
            FileTrees.deleteQuietly(file);
            return 0;
        }
        List<Path> jars = new ArrayList<>();
        for (String jar : training.getProperty(ResidentJvm.TRAINING_CLASSPATH, "").split(":")) {
            if (!jar.isBlank()) {
                jars.add(Path.of(jar));
            }
        }
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader("bpfunit-resident-training", urls(jars),
                ClassLoader.getSystemClassLoader())) {
            thread.setContextClassLoader(loader);
            LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
            int classes = 0;
            for (String name : training.getProperty(CLASSES, "").split(",")) {
                if (name.isBlank()) {
                    continue;
                }
                try {
                    request.selectors(DiscoverySelectors.selectClass(Class.forName(name.strip(), false, loader)));
                    classes++;
                } catch (ClassNotFoundException | LinkageError e) {
                    // its discovery after the hand-off says what is wrong with it
                }
            }
            if (classes > 0) {
                try (LauncherSession session = sessionWithoutMatrix(false, engines(training))) {
                    session.getLauncher().discover(request.build());
                }
            }
            return classes;
        } catch (IOException | RuntimeException | LinkageError e) {
            System.err.println("bpfunit-vm: the resident JVM's discovery of the tests before it is saved failed: " + e);
            return 0;
        } finally {
            thread.setContextClassLoader(context);
            // their memory need not stay in the saved guest
            for (Path jar : jars) {
                FileTrees.deleteQuietly(jar);
            }
            FileTrees.deleteQuietly(file);
        }
    }

    private static URL[] urls(List<Path> files) {
        URL[] urls = new URL[files.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = files.get(i).toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("not a class path entry: " + files.get(i), e);
            }
        }
        return urls;
    }

    /** Discovers and runs {@link GuestWarmUp} with {@code parameters}, its events to {@code writer}. */
    private static void runWarmUp(Launcher launcher, EventWriter writer, Map<String, String> parameters) {
        launcher.execute(launcher.discover(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(WARM_UP)).configurationParameters(parameters).build()), writer);
    }

    /**
     * The configuration parameters by which JUnit's launcher captures the tests' output (Maven Surefire sets them, so
     * the guests' runs have them): its output interception, set up again for each run, is part of the warm-up.
     */
    private static final Map<String, String> OUTPUT_CAPTURE = Map.of("junit.platform.output.capture.stdout", "true",
            "junit.platform.output.capture.stderr", "true");

    /** How often the resident JVM runs its warm-up test before it is saved. */
    private static final int WARM_UP_ROUNDS = 3;

    /** jqwik's configuration parameter for the file it records failed tries in (default: the working directory). */
    static final String JQWIK_DATABASE = "jqwik.database";

    static void run(Path requestFile, Path eventFile) throws IOException {
        run(requestFile, eventFile, new JvmTimes());
    }

    private static void run(Path requestFile, Path eventFile, JvmTimes times) throws IOException {
        Properties request = request(requestFile);
        LauncherDiscoveryRequest discovery = discoveryRequest(request, eventFile);
        try (LauncherSession session = sessionWithoutMatrix(flightRecording(request), engines(request));
             BufferedWriter out = Files.newBufferedWriter(eventFile, StandardCharsets.UTF_8)) {
            EventWriter writer = new EventWriter(out, times);
            Launcher launcher = session.getLauncher();
            TestPlan plan = launcher.discover(discovery);
            times.discovered();
            launcher.execute(plan, writer);
            writer.reportClassData();
            writer.write(GuestEvent.reported(OWN_ID, Map.of(JVM_TIMES, times.toString())));
            writer.write(GuestEvent.done(plan.countTestIdentifiers(TestIdentifier::isTest)));
        }
    }

    /**
     * The class-data archive's training run ({@link GuestCds}): the same discovery as {@link #run}, then the plan's
     * events written as a run would write them, every test skipped; then the engines run one test of bpfunit's own
     * ({@link GuestWarmUp}, when Jupiter is there) with the same settings. The JVM loads what a guest loads up to and
     * through its first test, and none of the user's tests (no BPF program) runs on the host.
     */
    static void train(Path requestFile, Path eventFile) throws IOException {
        Properties request = request(requestFile);
        LauncherDiscoveryRequest discovery = discoveryRequest(request, eventFile);
        try (LauncherSession session = sessionWithoutMatrix(flightRecording(request), engines(request));
             BufferedWriter out = Files.newBufferedWriter(eventFile, StandardCharsets.UTF_8)) {
            EventWriter writer = new EventWriter(out, new JvmTimes());
            Launcher launcher = session.getLauncher();
            TestPlan plan = launcher.discover(discovery);
            writer.testPlanExecutionStarted(plan);
            for (TestIdentifier root : plan.getRoots()) {
                replayAsSkipped(plan, root, writer);
            }
            writer.testPlanExecutionFinished(plan);
            prepareLoading(plan, discovery);
            if (ReflectionSupport.tryToLoadClass("org.junit.jupiter.api.Test").toOptional().isPresent()) {
                runWarmUp(launcher, writer, discovery.getConfigurationParameters().keySet().stream()
                        .collect(java.util.stream.Collectors.toMap(k -> k, k -> discovery
                                .getConfigurationParameters().get(k).orElse(""))));
            }
            writer.write(GuestEvent.done(plan.countTestIdentifiers(TestIdentifier::isTest)));
        }
    }

    /**
     * What a guest does first when its first {@code @BpfTest} class starts, minus the kernel: binds the native calls
     * and parses the objects the plan's classes name ({@link DeclaredObjects}), so that the archive also holds the
     * native binding's and the parser's classes (about 450 of the 850 a JVM loads between the end of discovery and
     * its first test). Best effort: an object that cannot be found or read is the test's to report, in the guest.
     */
    private static void prepareLoading(TestPlan plan, LauncherDiscoveryRequest discovery) {
        try {
            ProcessRoot.bindNativeCalls();
        } catch (RuntimeException | LinkageError e) {
            System.err.println("bpfunit class-data training run: native calls not bound: " + e);
        }
        Set<Class<?>> classes = new LinkedHashSet<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                id.getSource().filter(ClassSource.class::isInstance).map(ClassSource.class::cast)
                        .ifPresent(source -> classes.add(source.getJavaClass()));
            }
        }
        for (Class<?> testClass : classes) {
            try {
                DeclaredObjects.parse(testClass, discovery.getConfigurationParameters()::get);
            } catch (RuntimeException | LinkageError e) {
                System.err.println("bpfunit class-data training run: " + testClass.getName() + ": " + e.getMessage());
            }
        }
    }

    private static void replayAsSkipped(TestPlan plan, TestIdentifier node, EventWriter writer) {
        if (node.isTest()) {
            writer.executionSkipped(node, "class-data training run");
            return;
        }
        writer.executionStarted(node);
        for (TestIdentifier child : plan.getChildren(node)) {
            replayAsSkipped(plan, child, writer);
        }
        writer.executionFinished(node, TestExecutionResult.successful());
    }

    /** The properties file {@code requestFile} (a request, a hand-off, a training). */
    static Properties request(Path requestFile) throws IOException {
        Properties request = new Properties();
        try (Reader in = Files.newBufferedReader(requestFile, StandardCharsets.UTF_8)) {
            request.load(in);
        }
        return request;
    }

    /** Whether the request keeps JUnit's Flight Recorder listeners ({@link BpfKernels#JFR}). */
    private static boolean flightRecording(Properties request) {
        return Boolean.parseBoolean(request.getProperty(BpfKernels.JFR, "false"));
    }

    /** The engines the request names ({@link #ENGINES}); empty: all. */
    static Set<String> engines(Properties request) {
        Set<String> engines = new LinkedHashSet<>();
        for (String id : request.getProperty(ENGINES, "").split(",")) {
            if (!id.isBlank()) {
                engines.add(id.trim());
            }
        }
        return engines;
    }

    private static LauncherDiscoveryRequest discoveryRequest(Properties request, Path eventFile) {
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request();
        for (String name : request.getProperty(CLASSES, "").split(",")) {
            if (!name.isBlank()) {
                builder.selectors(DiscoverySelectors.selectClass(name.trim()));
            }
        }
        for (String key : request.stringPropertyNames()) {
            if (!key.equals(CLASSES) && !key.equals(ENGINES)) {
                builder.configurationParameter(key, request.getProperty(key));
            }
        }
        // coverage is also a system property, as on the host: loaders a test creates itself read it, from the start
        String coverage = request.getProperty(BpfTest.COVERAGE);
        if (coverage != null) {
            System.setProperty(BpfTest.COVERAGE, coverage);
        }
        // The guest sees the host's tree read-only: an engine that keeps state in the working directory (jqwik's
        // database of failed tries) would fail as a whole there, so its state goes to the writable run directory.
        if (request.getProperty(JQWIK_DATABASE) == null) {
            builder.configurationParameter(JQWIK_DATABASE,
                    eventFile.toAbsolutePath().resolveSibling("jqwik-database").toString());
        }
        return builder.build();
    }

    /**
     * The system property by which JUnit's launcher (6.x, {@code org.junit.platform.launcher.jfr.JfrUtils}) tells a
     * GraalVM native image, where it registers no Flight Recorder listener.
     */
    static final String NATIVE_IMAGE_PROPERTY = "org.graalvm.nativeimage.imagecode";

    /**
     * A launcher session with the test engines on the classpath (all, or those named) but the kernel-matrix engine: one launcher for
     * the discovery and the execution (where {@link LauncherFactory#create} makes a new one, with its listeners
     * loaded again, for each request).
     *
     * @param flightRecording {@code false} leaves out the Flight Recorder listeners JUnit 6 registers whenever
     *                        {@code jdk.jfr} is present ({@link BpfKernels#JFR}): the session, which creates its
     *                        launcher at once, is opened while {@value #NATIVE_IMAGE_PROPERTY} is set, the one switch
     *                        JUnit reads for it, and the property is cleared again. A JUnit that decides it otherwise
     *                        simply keeps them. Session listeners' {@code launcherSessionOpened} runs while it is set.
     * @param only            the ids of the engines to run ({@link #ENGINES}); empty, or none of them on the
     *                        classpath: every engine
     */
    static LauncherSession sessionWithoutMatrix(boolean flightRecording, Set<String> only) {
        List<TestEngine> all = new ArrayList<>();
        for (TestEngine engine : ServiceLoader.load(TestEngine.class)) {
            if (!engine.getId().equals(KernelMatrixEngine.ID)) {
                all.add(engine);
            }
        }
        List<TestEngine> named = all.stream().filter(e -> only.contains(e.getId())).toList();
        // none of the named ones here (another classpath than the host's): every engine, as without a name
        List<TestEngine> engines = named.isEmpty() ? all : named;
        LauncherConfig config = LauncherConfig.builder().enableTestEngineAutoRegistration(false)
                .addTestEngines(engines.toArray(TestEngine[]::new)).build();
        String nativeImage = System.getProperty(NATIVE_IMAGE_PROPERTY);
        if (flightRecording || nativeImage != null) {
            return LauncherFactory.openSession(config);
        }
        System.setProperty(NATIVE_IMAGE_PROPERTY, "runtime");
        try {
            return LauncherFactory.openSession(config);
        } finally {
            System.clearProperty(NATIVE_IMAGE_PROPERTY);
        }
    }

    /**
     * When this JVM started (from {@code /proc}, through {@link ProcessHandle}: no management classes to load), and
     * when its {@code main} began, its discovery ended and its first test started; what {@link #JVM_TIMES} says.
     */
    static final class JvmTimes {
        private final Optional<Instant> start;
        private final Instant main = Instant.now();
        /** When a resident JVM was handed its run; null in a JVM started for the run. */
        private final Instant handedOver;
        /** How many test classes a resident JVM discovered before it was saved ({@link #discoverTraining}). */
        private final int trained;
        private Instant discovered;
        private Instant firstTest;

        JvmTimes() {
            start = ProcessHandle.current().info().startInstant();
            handedOver = null;
            trained = 0;
        }

        /**
         * The times of a resident JVM handed its run at {@code handedOver}, which discovered {@code trained} test
         * classes before it was saved.
         */
        JvmTimes(Instant handedOver, int trained) {
            start = Optional.empty();
            this.handedOver = handedOver;
            this.trained = trained;
        }

        void discovered() {
            discovered = Instant.now();
        }

        void testStarted() {
            if (firstTest == null) {
                firstTest = Instant.now();
            }
        }

        /**
         * {@code JVM start → main 1.4 s, discovery done 9.2 s, first test 10.1 s}; from main when /proc said nothing;
         * for a resident JVM {@code resident JVM (60 test classes discovered before it was saved): hand-off → ...}.
         */
        @Override
        public String toString() {
            if (handedOver != null) {
                return "resident JVM" + (trained == 0 ? "" : " (" + trained + " test " + (trained == 1 ? "class" : "classes")
                        + " discovered before it was saved)") + ": hand-off → discovery done " + (discovered == null ? "-"
                        : seconds(handedOver, discovered)) + ", first test " + (firstTest == null ? "-"
                        : seconds(handedOver, firstTest));
            }
            Instant from = start.orElse(main);
            StringBuilder text = new StringBuilder(start.isPresent() ? "JVM start → main " + seconds(from, main) + ", "
                    : "main → ");
            text.append("discovery done ").append(discovered == null ? "-" : seconds(from, discovered));
            text.append(", first test ").append(firstTest == null ? "-" : seconds(from, firstTest));
            return text.toString();
        }

        private static String seconds(Instant from, Instant to) {
            return String.format(Locale.ROOT, "%.1f s", Duration.between(from, to).toMillis() / 1000.0);
        }
    }

    /** Writes each launcher event as a line and flushes it. */
    private static final class EventWriter implements TestExecutionListener {
        private final BufferedWriter out;
        private final JvmTimes times;
        /** How much of the JVM's class-loading log was written when the first test started; -1 before. */
        private long logAtFirstTest = -1;

        EventWriter(BufferedWriter out, JvmTimes times) {
            this.out = out;
            this.times = times;
        }

        synchronized void write(GuestEvent event) {
            try {
                out.write(event.encode());
                out.newLine();
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the guest's event file", e);
            }
        }

        @Override
        public void dynamicTestRegistered(TestIdentifier id) {
            write(GuestEvent.registered(id.getUniqueId(), id.getParentId().orElse(""), id.isTest(), id.getDisplayName()));
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            write(GuestEvent.skipped(id.getUniqueId(), reason));
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            if (id.isTest()) {
                times.testStarted();
            }
            if (id.isTest() && logAtFirstTest < 0 && System.getProperty(CLASS_DATA_PROPERTY) != null) {
                try {
                    logAtFirstTest = Files.size(Path.of(GuestCds.GUEST_LOG));
                } catch (IOException e) {
                    logAtFirstTest = 0;
                }
            }
            write(GuestEvent.started(id.getUniqueId()));
        }

        /** The {@link #CLASS_DATA} report entry, when this JVM logged its class loading and a test ran. */
        void reportClassData() {
            String given = System.getProperty(CLASS_DATA_PROPERTY);
            if (given == null || logAtFirstTest < 0) {
                return;
            }
            try (var in = Files.newInputStream(Path.of(GuestCds.GUEST_LOG))) {
                String log = new String(in.readNBytes((int) Math.min(logAtFirstTest, Integer.MAX_VALUE)),
                        StandardCharsets.UTF_8);
                write(GuestEvent.reported(OWN_ID, Map.of(CLASS_DATA, GuestCds.summary(log,
                        Boolean.parseBoolean(given)))));
            } catch (IOException e) {
                write(GuestEvent.reported(OWN_ID, Map.of(CLASS_DATA, "cannot read " + GuestCds.GUEST_LOG + ": " + e)));
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            write(GuestEvent.finished(id.getUniqueId(), result.getStatus().name(), result.getThrowable()));
        }

        @Override
        public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
            Map<String, String> values = entry.getKeyValuePairs();
            write(GuestEvent.reported(id.getUniqueId(), values));
        }
    }
}
