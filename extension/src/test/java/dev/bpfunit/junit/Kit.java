package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** Runs fixture classes through the Jupiter engine and reads what happened. */
final class Kit {

    private Kit() {
    }

    static EngineExecutionResults run(Class<?> fixture) {
        return run(fixture, Map.of());
    }

    static EngineExecutionResults run(Class<?> fixture, Map<String, String> parameters) {
        return run(parameters, selectClass(fixture));
    }

    /** Runs what the selectors pick; the directory its published files went to is deleted when the run is over. */
    static EngineExecutionResults run(Map<String, String> parameters, DiscoverySelector... selectors) {
        TempOutput output = new TempOutput();
        try {
            return EngineTestKit.engine("junit-jupiter").configurationParameters(parameters)
                    .outputDirectoryCreator(output).selectors(selectors).execute();
        } finally {
            output.delete();
        }
    }

    /** Asserts that every test of the run passed, showing the failures' messages when not. */
    static void assertAllPassed(EngineExecutionResults results, int tests) {
        Events events = results.allEvents();
        List<String> problems = events.stream().filter(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                        .map(r -> r.getStatus() != org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL)
                        .orElse(false))
                .map(Kit::describe).collect(Collectors.toList());
        assertThat(problems).as("failures").isEmpty();
        results.testEvents().assertStatistics(s -> s.succeeded(tests).failed(0).aborted(0).skipped(0));
    }

    /**
     * The one failure of a run (a test's or a container's), as a throwable; unwrapped from JUnit's
     * ParameterResolutionException, which carries the extension's exception as its cause.
     */
    static Throwable onlyFailure(EngineExecutionResults results) {
        List<Throwable> failures = results.allEvents().failed().stream()
                .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                        .getThrowable().orElseThrow())
                .map(Kit::unwrap)
                .toList();
        assertThat(failures).as("failures of the run").hasSize(1);
        return failures.get(0);
    }

    /** Where published files go in these runs: a fresh temporary directory per test descriptor. */
    private static final class TempOutput implements org.junit.platform.engine.OutputDirectoryCreator {
        private final java.nio.file.Path root;

        TempOutput() {
            try {
                root = java.nio.file.Files.createTempDirectory("bpfunit-kit");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void delete() {
            try (java.util.stream.Stream<java.nio.file.Path> tree = java.nio.file.Files.walk(root)) {
                for (java.nio.file.Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("deleting the run's output directory " + root, e);
            }
        }

        @Override
        public java.nio.file.Path getRootDirectory() {
            return root;
        }

        @Override
        public java.nio.file.Path createOutputDirectory(org.junit.platform.engine.TestDescriptor descriptor)
                throws java.io.IOException {
            return java.nio.file.Files.createTempDirectory(root, "test");
        }
    }

    /** The extension's exception inside JUnit's wrappers (parameter resolution, condition evaluation). */
    static Throwable unwrap(Throwable t) {
        boolean wrapper = t instanceof org.junit.jupiter.api.extension.ParameterResolutionException
                || t.getClass().getName().equals("org.junit.jupiter.engine.execution.ConditionEvaluationException");
        return wrapper && t.getCause() != null ? t.getCause() : t;
    }

    static String describe(Event e) {
        return e.getTestDescriptor().getDisplayName() + ": " + e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class).flatMap(r -> r.getThrowable())
                .map(t -> t.getClass().getSimpleName() + ": " + t.getMessage()).orElse(e.toString());
    }
}
