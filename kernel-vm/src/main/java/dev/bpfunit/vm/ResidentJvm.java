package dev.bpfunit.vm;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A guest launcher JVM that lives in the saved guest (issue 16): the guest starts it before it is saved, from files
 * copied into its initramfs ({@link GuestLayer}: the JDK, the libraries it maps, the launcher's class path outside
 * the working directory), lets it warm up ({@link GuestLauncher#RESIDENT}) and saves it with the kernel. A restored
 * guest then hands it the run ({@link #HAND_OFF} in the run directory): it moves into the host's root
 * ({@code chroot}, {@code chdir}), appends the working directory's class path entries (the tests' classes) to the
 * application class loader's path and runs the request: no JVM start and no cold discovery under TCG. Which run of
 * a machine saves it is {@link When}.
 *
 * <p>Only saved guests have one (a guest that boots runs {@link VmSpec#command()} as usual), so a run's spec gives
 * both. Everything that shapes the JVM (its command line, environment, working directory and the layer's files) is
 * part of the snapshot's key; what changes from run to run (the request, the tests' class directories) comes with
 * the hand-off.
 *
 * @param command     the JVM's command line: {@code java}, flags, {@code -cp} of the layer's class path, the launcher
 *                    and its {@link GuestLauncher#RESIDENT} arguments
 * @param workingDir  the working directory it starts in (an empty directory at the host path) and moves to
 * @param environment its environment
 * @param layer       the host files it runs from
 * @param handOff     what the run hands it ({@link GuestLauncher#resident})
 * @param when        from which run of a machine its saved guest has the JVM
 * @param classData   its class-data archive, dumped on the host when a guest is saved with it (empty when it has none
 *                    or cannot be made: the JVM then starts without, {@code -Xshare:auto})
 * @param training    what it discovers before it is saved, besides its warm-up test
 */
record ResidentJvm(List<String> command, Path workingDir, Map<String, String> environment, GuestLayer layer,
                   Properties handOff, When when, Supplier<Optional<Path>> classData, Training training) {
    /** From which run of a machine (its kernel, memory, CPUs and initramfs, and this JVM's files) the JVM is saved. */
    enum When {
        /** From the first: that run boots, starts the JVM, warms it up and saves the guest with it (20-25 s under TCG). */
        FIRST_RUN,
        /**
         * From the second: the first run saves the guest without the JVM (as a guest without one is saved, in 3-5 s)
         * and runs the command as usual; a run that finds that snapshot saves the guest again with the JVM, and later
         * runs restore that one. A cache that is not kept from one run to the next (a CI job's) never pays for it.
         */
        SECOND_RUN
    }

    /** The start script's path in the initramfs. */
    static final String START = "resident/start";
    /** The file the JVM creates once it is warm, in the initramfs. */
    static final String READY = "/resident/ready";
    /** The pipe {@code /init} writes the hand-off file's path to, in the initramfs. */
    static final String REQUEST = "/resident/request";
    /** How {@code /init}'s message begins when the JVM ended before it was ready (the guest is then not saved). */
    static final String FAILED = "the resident JVM ended";
    /** The hand-off file, in the run directory. */
    static final String HAND_OFF = "resident.properties";
    /** The hand-off's keys. */
    static final String ROOT = "root";
    static final String WORKING_DIR = "workingDir";
    static final String CLASSPATH = "classpath";
    static final String REQUEST_FILE = "request";
    static final String EVENTS_FILE = "events";
    /**
     * The JVM's own flags: {@link GuestLauncher#testsLoader} appends the tests' class path entries to the application
     * class loader's, which it may only do with {@code jdk.internal.loader} opened to it.
     */
    static final List<String> JVM_FLAGS = List.of("--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED");
    /**
     * Where the layer holds the JVM's class-data archive ({@link GuestCds}, dumped on the host for the JVM's class path,
     * JDK and flags, with the warm-up as its training): the JVM's start under TCG, with its classes mapped instead of
     * loaded and verified one by one, took 6.6-6.9 s instead of 10.4-10.7 s in a 6.12 guest with one CPU.
     */
    static final String ARCHIVE = "resident/launcher.jsa";
    /** Where {@code /init} mounts the host's root, the root the JVM moves into. */
    static final String HOST_ROOT = "/newroot";
    /**
     * The training file in the initramfs of a guest saved with the JVM ({@link Training}): the classes to discover
     * ({@link GuestLauncher#CLASSES}), the engines ({@link GuestLauncher#ENGINES}) and their class path
     * ({@link #TRAINING_CLASSPATH}); absent when there is nothing to discover.
     */
    static final String TRAINING_FILE = "/resident/training.properties";
    /** The training file's key for the class path of the classes to discover: jars in {@link #TRAINING_JARS}. */
    static final String TRAINING_CLASSPATH = "classpath";
    /** Where the initramfs holds the training's jars. */
    static final String TRAINING_JARS = "/resident/training/";

    /**
     * What the JVM discovers before it is saved, after its warm-up (issue 16): the run's test classes, from their class
     * path inside the working directory (which the JVM is not started with: it comes with each run's hand-off), packed
     * into jars copied into the initramfs, and loaded by a class loader the JVM drops afterwards. A restored guest's
     * JVM then discovers the tests with the classes they use from the libraries' jars loaded, their annotations' proxy
     * classes made and the discovery's code compiled (the samples' 53 classes: 3.6-4.6 s from the hand-off to the end
     * of discovery in the run that saves the guest instead of 6.4-6.9 s; restored 4.2-6.0 s, within the spread of
     * 5.2-6.3 s without). What changes in the tests after the save only leaves the next discovery more of that work,
     * so the training is not part of the machine's key ({@link GuestLayer#derivedFile}).
     *
     * @param classPath the run's class path entries inside the working directory (class directories and jars)
     * @param request   the run's request file ({@link GuestLauncher}), read for its classes and engines when the
     *                  guest is saved
     */
    record Training(List<Path> classPath, Path request) {
        /** Nothing to discover: the warm-up only. */
        static final Training NONE = new Training(List.of(), null);

        Training {
            classPath = List.copyOf(classPath);
        }

        /**
         * Adds the training to {@code layer}: each class directory's classes packed into a jar in {@code dir}, each
         * jar as it is, and the {@link #TRAINING_FILE} naming them; nothing when there are no classes to discover.
         */
        void addTo(GuestLayer layer, Path dir) throws IOException {
            if (request == null || !Files.isRegularFile(request)) {
                return;
            }
            Properties run = GuestLauncher.request(request);
            String classes = run.getProperty(GuestLauncher.CLASSES, "").strip();
            if (classes.isEmpty()) {
                return;
            }
            Files.createDirectories(dir);
            List<String> jars = new ArrayList<>();
            for (Path entry : classPath) {
                Path jar;
                if (Files.isDirectory(entry)) {
                    jar = dir.resolve("classes-" + jars.size() + ".jar");
                    GuestCds.pack(entry, jar);
                } else if (Files.isRegularFile(entry)) {
                    jar = entry;
                } else {
                    continue;
                }
                String path = TRAINING_JARS + jars.size() + ".jar";
                layer.derivedFile(path, jar);
                jars.add(path);
            }
            Properties training = new Properties();
            training.setProperty(GuestLauncher.CLASSES, classes);
            training.setProperty(GuestLauncher.ENGINES, run.getProperty(GuestLauncher.ENGINES, ""));
            training.setProperty(TRAINING_CLASSPATH, String.join(":", jars));
            Path file = dir.resolve("training.properties");
            try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                training.store(out, "bpfunit resident JVM: what it discovers before it is saved");
            }
            layer.derivedFile(TRAINING_FILE, file);
        }
    }

    /** A JVM saved from a machine's first run ({@link When#FIRST_RUN}), without a class-data archive. */
    ResidentJvm(List<String> command, Path workingDir, Map<String, String> environment, GuestLayer layer,
                Properties handOff) {
        this(command, workingDir, environment, layer, handOff, When.FIRST_RUN, Optional::empty, Training.NONE);
    }

    ResidentJvm {
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(classData, "classData");
        Objects.requireNonNull(training, "training");
        command = List.copyOf(command);
        // sorted: the start script, and so the snapshot's key, must not follow a map's iteration order
        environment = Collections.unmodifiableMap(new TreeMap<>(environment));
        Objects.requireNonNull(layer, "layer");
        Properties copy = new Properties();
        copy.putAll(handOff);
        handOff = copy;
    }

    /**
     * The resident form of a guest launcher run: {@code java flags jvmArgs -cp <the class path outside workingDir>
     * GuestLauncher --resident}; empty when the launcher itself is not on that part of the class path (the
     * launcher's own module under test) or the layer cannot be read.
     */
    static Optional<ResidentJvm> forLauncher(List<String> flags, List<String> jvmArgs, List<String> classpath,
                                             Path workingDir, Map<String, String> environment,
                                             Path requestFile, Path eventFile) {
        return forLauncher(flags, jvmArgs, classpath, workingDir, environment, requestFile, eventFile,
                Optional.empty());
    }

    /**
     * As {@link #forLauncher(List, List, List, Path, Map, Path, Path)}, with a class-data archive from
     * {@code classDataCache} ({@link GuestCds}'s cache) when the class path outside the working directory is all jars
     * (a class directory there would need a packed jar in its place, another class path).
     */
    static Optional<ResidentJvm> forLauncher(List<String> flags, List<String> jvmArgs, List<String> classpath,
                                             Path workingDir, Map<String, String> environment,
                                             Path requestFile, Path eventFile, Optional<Path> classDataCache) {
        Path cwd = workingDir.toAbsolutePath().normalize();
        List<String> resident = new ArrayList<>();
        List<Path> inWorkingDir = new ArrayList<>();
        for (String entry : classpath) {
            Path path = Path.of(entry).toAbsolutePath().normalize();
            if (!path.startsWith(cwd) && Files.exists(path)) {
                resident.add(path.toString());
            } else if (Files.exists(path)) {
                inWorkingDir.add(path);
            }
        }
        Optional<Path> launcher = codeSource();
        if (launcher.isEmpty() || !resident.contains(launcher.get().toString())) {
            return Optional.empty();
        }
        GuestLayer layer = new GuestLayer();
        Path java = GuestJava.currentJava();
        try {
            layer.includeJdk(Path.of(System.getProperty("java.home")));
            layer.includeMappedFiles(java);
            for (String entry : resident) {
                layer.include(Path.of(entry));
            }
            layer.directory(cwd);
        } catch (IOException | RuntimeException e) {
            System.err.println("bpfunit-vm: the guest launcher runs without a resident JVM: cannot collect its files ("
                    + e + ")");
            return Optional.empty();
        }
        List<String> residentArgs = new ArrayList<>(JVM_FLAGS);
        Supplier<Optional<Path>> classData = Optional::empty;
        if (classDataCache.isPresent() && resident.stream().allMatch(e -> e.endsWith(".jar")
                && Files.isRegularFile(Path.of(e)))) {
            Path cache = classDataCache.get();
            residentArgs.addAll(List.of("-XX:SharedArchiveFile=/" + ARCHIVE, "-Xshare:auto"));
            classData = () -> {
                Properties training = new Properties();
                training.setProperty(GuestLauncher.CLASSES, ""); // the warm-up only
                return GuestCds.prepare(cache, java, flags, resident, training,
                                line -> System.out.println("bpfunit kernel matrix: resident JVM: " + line))
                        .filter(archive -> archive.classpath().equals(resident)).map(GuestCds.Archive::file);
            };
        }
        residentArgs.addAll(jvmArgs);
        List<String> command = GuestJava.command(flags, residentArgs, String.join(":", resident),
                GuestLauncher.class.getName(), List.of(GuestLauncher.RESIDENT, READY, REQUEST));
        Properties handOff = new Properties();
        handOff.setProperty(ROOT, HOST_ROOT);
        handOff.setProperty(WORKING_DIR, cwd.toString());
        handOff.setProperty(CLASSPATH, String.join(":", classpath));
        handOff.setProperty(REQUEST_FILE, requestFile.toAbsolutePath().toString());
        handOff.setProperty(EVENTS_FILE, eventFile.toAbsolutePath().toString());
        return Optional.of(new ResidentJvm(command, cwd, environment, layer, handOff, When.FIRST_RUN, classData,
                new Training(inWorkingDir, requestFile.toAbsolutePath())));
    }

    /** This JVM, saved from the machine's run that {@code when} says. */
    ResidentJvm from(When when) {
        return new ResidentJvm(command, workingDir, environment, layer, handOff, when, classData, training);
    }

    /** The script that starts the JVM in the initramfs ({@link #START}). */
    String startScript() {
        return CommandScript.of("", workingDir, environment, command);
    }

    /** The hand-off file's text. */
    String handOffText() {
        StringWriter text = new StringWriter();
        try {
            handOff.store(text, "bpfunit resident JVM hand-off");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    /** The class path entry (jar or directory) {@link GuestLauncher} was loaded from. */
    private static Optional<Path> codeSource() {
        try {
            var source = GuestLauncher.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty()
                    : Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath().normalize());
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
