package smoke;

import java.io.PrintWriter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Runs CounterTest with JUnit's launcher, everything on the module path; exits 0 only if it ran and passed. */
public final class Run {
    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(CounterTest.class)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        out.println("bpfunit module: " + BpfModule.describe());
        out.println("succeeded " + summary.getTestsSucceededCount() + ", failed " + summary.getTotalFailureCount()
                + ", skipped " + summary.getTestsSkippedCount() + ", aborted " + summary.getTestsAbortedCount());
        summary.printFailuresTo(out, 30);
        boolean ok = summary.getTestsSucceededCount() == 1 && summary.getTotalFailureCount() == 0
                && summary.getTestsSkippedCount() == 0 && summary.getTestsAbortedCount() == 0;
        System.exit(ok ? 0 : 1);
    }

    /** How bpfunit's module shows from here. */
    static final class BpfModule {
        static String describe() {
            Module m = dev.bpfunit.BpfObject.class.getModule();
            return m.getName() + ", named " + m.isNamed() + ", exports sys to smoke "
                    + m.isExported("dev.bpfunit.sys", Run.class.getModule());
        }
    }
}
