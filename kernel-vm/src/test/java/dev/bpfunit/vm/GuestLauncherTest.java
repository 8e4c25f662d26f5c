package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.vm.fixtures.GuestClassPath;
import dev.bpfunit.vm.fixtures.GuestPasses;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.LauncherSession;

/** The guest launcher in a JVM of its own, as a guest runs it: its events, its start-up times, JUnit's JFR listeners. */
class GuestLauncherTest {
    @TempDir
    Path tmp;

    /** Runs the launcher on {@link GuestPasses} with {@code settings}; returns the event file and the class-load log. */
    private List<String> launch(String name, Properties settings) throws IOException, InterruptedException {
        Path request = tmp.resolve(name + ".properties");
        settings.setProperty(GuestLauncher.CLASSES, GuestPasses.class.getName());
        try (Writer out = Files.newBufferedWriter(request, StandardCharsets.UTF_8)) {
            settings.store(out, null);
        }
        Path events = tmp.resolve(name + "-events.txt");
        Path log = tmp.resolve(name + "-classes.log");
        List<String> command = GuestJava.command(Accelerator.TCG, List.of("-Xlog:class+load=info:file=" + log),
                String.join(":", HostClasspath.entries()), GuestLauncher.class.getName(),
                List.of(request.toString(), events.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + "-output.txt").toFile()).start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the launcher ended within 2 minutes").isTrue();
        assertThat(process.exitValue()).as(Files.readString(tmp.resolve(name + "-output.txt"))).isZero();
        return List.of(Files.readString(events), Files.readString(log));
    }

    @Test
    void runsTheTestReportsItsStartUpAndLeavesJunitsFlightRecorderListenersOut() throws Exception {
        List<String> run = launch("default", new Properties());
        String events = run.get(0);
        String classes = run.get(1);

        assertThat(events).contains("FINISHED\t[engine:junit-jupiter]/[class:" + GuestPasses.class.getName()
                + "]/[method:passes()]\tSUCCESSFUL");
        assertThat(events).containsPattern(GuestLauncher.JVM_TIMES
                + "\tJVM start → main \\d+\\.\\d s, discovery done \\d+\\.\\d s, first test \\d+\\.\\d s");
        assertThat(classes).contains("org.junit.platform.launcher.core.LauncherFactory")
                .doesNotContain("org.junit.platform.launcher.jfr.FlightRecording").doesNotContain(" jdk.jfr.");
    }

    /**
     * A resident launcher (started without the tests' classes, as a saved guest's is): warms up, says it is ready,
     * takes the hand-off from its pipe, moves into the hand-off's root ({@code /} here) and working directory, loads
     * the tests' classes, appended to the application class loader's path, and runs the request.
     */
    @Test
    void aResidentLauncherTakesItsRunFromTheHandOff() throws Exception {
        String testClasses = Path.of(GuestPasses.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        List<String> classpath = HostClasspath.entries();
        List<String> own = classpath.stream().filter(e -> !e.equals(testClasses)).toList();
        Path ready = tmp.resolve("ready");
        Path pipe = tmp.resolve("request");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();
        Path work = Files.createDirectory(tmp.resolve("work"));
        List<String> jvmArgs = new ArrayList<>(ResidentJvm.JVM_FLAGS);
        jvmArgs.add("-Dbpfunit.guest=resident-test");
        List<String> command = GuestJava.command(Accelerator.TCG, jvmArgs,
                String.join(":", own), GuestLauncher.class.getName(),
                List.of(GuestLauncher.RESIDENT, ready.toString(), pipe.toString()));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("resident-output.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!Files.exists(ready) && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ready).as(Files.readString(tmp.resolve("resident-output.txt"))).exists();

            Path request = tmp.resolve("request.properties");
            Properties settings = new Properties();
            settings.setProperty(GuestLauncher.CLASSES, GuestPasses.class.getName() + "," + GuestClassPath.class.getName());
            try (Writer out = Files.newBufferedWriter(request, StandardCharsets.UTF_8)) {
                settings.store(out, null);
            }
            Path events = tmp.resolve("resident-events.txt");
            Properties handOff = new Properties();
            handOff.setProperty(ResidentJvm.ROOT, "/");
            handOff.setProperty(ResidentJvm.WORKING_DIR, work.toString());
            handOff.setProperty(ResidentJvm.CLASSPATH, String.join(":", classpath));
            handOff.setProperty(ResidentJvm.REQUEST_FILE, request.toString());
            handOff.setProperty(ResidentJvm.EVENTS_FILE, events.toString());
            Path handOffFile = tmp.resolve(ResidentJvm.HAND_OFF);
            try (Writer out = Files.newBufferedWriter(handOffFile, StandardCharsets.UTF_8)) {
                handOff.store(out, null);
            }
            Files.writeString(pipe, handOffFile + "\n");

            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the launcher ended within 2 minutes").isTrue();
            assertThat(process.exitValue()).as(Files.readString(tmp.resolve("resident-output.txt"))).isZero();
            String text = Files.readString(events);
            assertThat(text).contains("FINISHED\t[engine:junit-jupiter]/[class:" + GuestPasses.class.getName()
                    + "]/[method:passes()]\tSUCCESSFUL");
            assertThat(text).contains("FINISHED\t[engine:junit-jupiter]/[class:" + GuestClassPath.class.getName()
                    + "]/[method:isOnTheApplicationClassLoadersPath()]\tSUCCESSFUL");
            assertThat(text).containsPattern(GuestLauncher.JVM_TIMES
                    + "\tresident JVM: hand-off → discovery done \\d+\\.\\d s, first test \\d+\\.\\d s");
            assertThat(text).as("the warm-up's events are not the run's").doesNotContain("GuestWarmUp");
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * A resident JVM's training before its guest is saved ({@link ResidentJvm.Training}): the classes the training
     * file names, from its jars, through a loader of their own (not the application class loader's, which gets the
     * run's classes after the hand-off), a class that is not there left out, and the files deleted afterwards.
     */
    @Test
    void discoversTheTrainingsClassesFromItsJarsAndDeletesThem() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/trained"));
        Files.writeString(source.resolve("OnlyInTraining.java"), """
                package trained;
                class OnlyInTraining {
                    @org.junit.jupiter.api.Test
                    void runsNowhere() {
                    }
                }
                """);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                source.resolve("OnlyInTraining.java").toString())).isZero();
        Path jar = tmp.resolve("training-0.jar");
        GuestCds.pack(classes, jar);
        Path file = tmp.resolve("training.properties");
        Properties training = new Properties();
        training.setProperty(GuestLauncher.CLASSES, "trained.OnlyInTraining, trained.NotThere");
        training.setProperty(GuestLauncher.ENGINES, "junit-jupiter");
        training.setProperty(ResidentJvm.TRAINING_CLASSPATH, jar.toString());
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            training.store(out, null);
        }

        assertThat(GuestLauncher.discoverTraining(file)).isEqualTo(1);

        assertThat(jar).doesNotExist();
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> Class.forName("trained.OnlyInTraining", false, ClassLoader.getSystemClassLoader()))
                .as("the application class loader never saw it").isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void keepsJunitsFlightRecorderListenersWhenAsked() throws Exception {
        Properties settings = new Properties();
        settings.setProperty(BpfKernels.JFR, "true");
        List<String> run = launch("jfr", settings);

        assertThat(run.get(0)).contains("[method:passes()]\tSUCCESSFUL");
        assertThat(run.get(1)).contains("org.junit.platform.launcher.jfr.FlightRecordingExecutionListener")
                .contains(" jdk.jfr.");
    }

    @Test
    void leavesNoNativeImagePropertyBehind() {
        try (LauncherSession session = GuestLauncher.sessionWithoutMatrix(false, java.util.Set.of())) {
            assertThat(session.getLauncher()).isNotNull();
        }
        assertThat(System.getProperty(GuestLauncher.NATIVE_IMAGE_PROPERTY)).isNull();
    }

    @Test
    void onlyTheNamedEnginesDiscover() {
        var request = org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(GuestPasses.class))
                .build();
        try (LauncherSession session = GuestLauncher.sessionWithoutMatrix(false, java.util.Set.of("junit-jupiter"))) {
            var plan = session.getLauncher().discover(request);
            assertThat(plan.getRoots()).extracting(r -> r.getUniqueIdObject().toString())
                    .containsExactly("[engine:junit-jupiter]");
            assertThat(plan.countTestIdentifiers(t -> t.isTest())).isEqualTo(1);
        }
        try (LauncherSession session = GuestLauncher.sessionWithoutMatrix(false, java.util.Set.of("no-such-engine"))) {
            assertThat(session.getLauncher().discover(request).getRoots()).as("none named here: all of them")
                    .extracting(r -> r.getUniqueIdObject().toString()).contains("[engine:junit-jupiter]");
        }
        Properties request2 = new Properties();
        request2.setProperty(GuestLauncher.ENGINES, "junit-jupiter, jqwik,");
        assertThat(GuestLauncher.engines(request2)).containsExactly("junit-jupiter", "jqwik");
        assertThat(GuestLauncher.engines(new Properties())).isEmpty();
    }

    @Test
    void sayingNothingOfTheFirstTestWhenNoneRan() {
        GuestLauncher.JvmTimes times = new GuestLauncher.JvmTimes();
        assertThat(times.toString()).matches("JVM start → main \\d+\\.\\d s, discovery done -, first test -");
        times.discovered();
        times.testStarted();
        assertThat(times.toString()).matches(
                "JVM start → main \\d+\\.\\d s, discovery done \\d+\\.\\d s, first test \\d+\\.\\d s");
    }
}
