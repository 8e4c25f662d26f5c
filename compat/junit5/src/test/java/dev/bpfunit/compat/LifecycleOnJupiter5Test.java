package dev.bpfunit.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Program;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * What differs between Jupiter versions, run through the engine of this project's Jupiter: objects kept in the
 * extension store are closed when their scope ends (5.10 to 5.12 close only CloseableResource values), and a
 * rejected program fails the test with the verifier's summary (file publishing exists only from 5.12 on).
 */
class LifecycleOnJupiter5Test {

    static final List<BpfObject> LOADED = new ArrayList<>();

    @BpfTest("xdp_fw")
    static class Loads {
        static BpfObject perClass;
        BpfObject perTest;

        @Test
        void one() {
            LOADED.add(perClass);
            LOADED.add(perTest);
        }

        @Test
        void two() {
            LOADED.add(perTest);
        }
    }

    @BpfTest("rejected")
    static class Rejected {
        @Program("null_deref") BpfProgram rejected;

        @Test
        void injectsARejectedProgram() {
        }
    }

    static class MissingCapture {
        @org.junit.jupiter.params.ParameterizedTest
        @dev.bpfunit.junit.PcapSource("captures/nope.pcap")
        void packets(dev.bpfunit.packet.Packet packet) {
        }
    }

    @Test
    void aMissingCaptureIsAConfigurationErrorNamingIt() {
        Events containers = EngineTestKit.engine("junit-jupiter").selectors(selectClass(MissingCapture.class))
                .execute().containerEvents();
        assertThat(containers.failed().list()).singleElement().satisfies(e -> assertThat(e.getPayload(
                org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
                .hasMessageContaining("@PcapSource(\"captures/nope.pcap\") on method")
                .hasMessageContaining("no such capture"));
    }

    @Test
    void theRunningJupiterIsTheOneThisProjectDeclares() {
        String expected = System.getProperty("compat.expected.jupiter");
        assertThat(expected).as("set by the pom").isNotBlank();
        assertThat(ExtensionContext.class.getPackage().getImplementationVersion()).isEqualTo(expected);
    }

    @Test
    void everyObjectIsClosedWhenItsScopeEnds() {
        LOADED.clear();
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Loads.class))
                .configurationParameter("bpfunit.require", "true").execute().testEvents();
        tests.assertStatistics(s -> s.succeeded(2).failed(0).aborted(0).skipped(0));

        assertThat(LOADED).hasSize(3).doesNotContainNull();
        assertThat(LOADED.get(0)).isNotSameAs(LOADED.get(1));
        for (BpfObject obj : LOADED) {
            for (BpfProgram p : obj.programs()) {
                assertThat(p.isClosed()).as("%s of %s closed after its scope", p, obj).isTrue();
            }
        }
    }

    @Test
    void aRejectedProgramFailsTheTestWithTheVerifierSummary() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Rejected.class))
                .configurationParameter("bpfunit.require", "true").execute().testEvents();
        tests.assertStatistics(s -> s.failed(1))
                .assertThatEvents().haveExactly(1, event(test("injectsARejectedProgram"), finishedWithFailure(
                        message(m -> m.contains("the verifier rejected program 'null_deref'")
                                && m.contains("R0 invalid mem access")))));
    }
}
