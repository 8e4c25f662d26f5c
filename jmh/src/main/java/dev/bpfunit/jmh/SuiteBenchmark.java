package dev.bpfunit.jmh;

import dev.bpfunit.jmh.suite.FreshObjectSuite;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * A suite as a user runs it: {@link FreshObjectSuite}'s {@value FreshObjectSuite#TESTS} tests through the JUnit
 * Platform launcher (discovery, the Jupiter engine, the extension loading and closing a fresh {@code xdp_fw} for
 * every test, one test run each). The score is per test ({@code @OperationsPerInvocation}); the C counterpart is
 * {@code libbpf_bench}'s {@code suite} row, so Java - C is the extension's and JUnit's own cost per test.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SuiteBenchmark {

    private Launcher launcher;
    private LauncherDiscoveryRequest request;

    /** One launcher for the run, as a build tool has. */
    @Setup
    public void setUp() {
        launcher = LauncherFactory.create();
        request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(FreshObjectSuite.class)).build();
    }

    /** Runs the whole class; fails if any test did not pass. Returns the number of tests that passed. */
    @Benchmark
    @OperationsPerInvocation(FreshObjectSuite.TESTS)
    public long suite() {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        if (summary.getTestsSucceededCount() != FreshObjectSuite.TESTS || summary.getTotalFailureCount() != 0) {
            java.io.StringWriter out = new java.io.StringWriter();
            summary.printFailuresTo(new java.io.PrintWriter(out), 20);
            throw new IllegalStateException("the suite did not pass: " + summary.getTestsSucceededCount() + " of "
                    + FreshObjectSuite.TESTS + " tests passed\n" + out);
        }
        return summary.getTestsSucceededCount();
    }
}
