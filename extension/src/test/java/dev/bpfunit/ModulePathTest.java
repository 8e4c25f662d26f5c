package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bpfunit on the module path, as a user's modular project sees it: a test module ({@code modulepath/} in the test
 * resources) compiled against module {@code dev.bpfunit} runs a {@code @BpfTest} under JUnit's launcher in a JVM
 * with no class path at all; a module reaching into {@code dev.bpfunit.sys} does not compile. The build's own tests
 * run on the class path, so this is where the module descriptor is exercised.
 */
class ModulePathTest {

    @TempDir
    static Path work;
    private static List<Path> modulePath;

    @BeforeAll
    static void modulePath() throws Exception {
        modulePath = new ArrayList<>();
        modulePath.add(location(BpfObject.class));        // target/classes, with module-info.class
        for (String c : List.of("com.sun.jna.Native", "org.junit.jupiter.api.Test",
                "org.junit.jupiter.params.ParameterizedTest", "org.junit.platform.commons.support.AnnotationSupport",
                "org.junit.platform.engine.TestEngine", "org.junit.platform.launcher.core.LauncherFactory",
                "org.junit.jupiter.engine.JupiterTestEngine", "org.opentest4j.AssertionFailedError",
                "org.apiguardian.api.API", "org.jspecify.annotations.Nullable")) {
            modulePath.add(location(Class.forName(c)));
        }
        assertThat(location(BpfObject.class).resolve("module-info.class")).exists();
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String path(List<Path> paths) {
        return String.join(File.pathSeparator, paths.stream().map(Path::toString).toList());
    }

    /** Compiles a module from test resources; returns the compiler's messages and whether it succeeded. */
    private static Compiled compile(String resource, Path out) throws Exception {
        Path src = location(ModulePathTest.class).resolve(resource);
        // an empty class path: in-process javac would otherwise take this JVM's, and see bpfunit's classes there
        Path noClassPath = Files.createDirectories(work.resolve("empty"));
        List<String> args = new ArrayList<>(List.of("--module-path", path(modulePath), "--class-path",
                noClassPath.toString(), "-d", out.toString(), "-Xlint:-requires-automatic"));
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int status = javac.run(null, messages, messages, args.toArray(String[]::new));
        return new Compiled(status == 0, messages.toString(StandardCharsets.UTF_8));
    }

    private record Compiled(boolean ok, String messages) {
    }

    @Test
    void aBpfTestRunsWithEverythingOnTheModulePath() throws Exception {
        Path out = Files.createDirectories(work.resolve("smoke"));
        Compiled compiled = compile("modulepath", out);
        assertThat(compiled.ok()).as(compiled.messages()).isTrue();
        Files.copy(location(ModulePathTest.class).resolve("junit/counter.bpf.o"), out.resolve("counter.bpf.o"));

        List<Path> mp = new ArrayList<>(modulePath);
        mp.add(0, out);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Dbpfunit.require=true", "--module-path", path(mp),
                "--module", "smoke/smoke.Run").redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(output).contains("bpfunit module: dev.bpfunit, named true, exports sys to smoke false")
                .contains("succeeded 1, failed 0, skipped 0, aborted 0");
        assertThat(p.exitValue()).as(output).isZero();
    }

    @Test
    void aModuleCannotReachTheKernelLayer() throws Exception {
        Compiled compiled = compile("modulepath-peek", Files.createDirectories(work.resolve("peek")));
        assertThat(compiled.ok()).isFalse();
        assertThat(compiled.messages()).contains("package dev.bpfunit.sys is declared in module dev.bpfunit, which "
                + "does not export it");
    }
}
