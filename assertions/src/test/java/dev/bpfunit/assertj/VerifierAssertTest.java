package dev.bpfunit.assertj;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static dev.bpfunit.assertj.BpfAssertions.assertThatVerifierRejects;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfObject;
import org.junit.jupiter.api.Test;

class VerifierAssertTest {

    @Test
    void theDiagnosisOfARejectedProgram() {
        assertThatVerifierRejects(Fixtures.loader("reject")).ofProgram("bad_deref")
                .withMessageMatching("invalid mem access '.*_or_null'").atSourceLine(19)
                .atSourceLine("reject.bpf.c:19").withHintContaining("NULL");
        assertThatVerifierRejects(() -> Fixtures.load("reject")).ofProgram("bad_deref");
        assertThatThrownBy(() -> assertThatVerifierRejects(Fixtures.loader("reject")).withMessageMatching("R1 type="))
                .hasMessageStartingWith("\nExpecting the verifier's error to match\n  R1 type=\nbut its error lines are\n  "
                        .formatted() + "R0 invalid mem access 'map_value_or_null'");
        assertThatThrownBy(() -> assertThatVerifierRejects(Fixtures.loader("reject")).atSourceLine(18))
                .hasMessageStartingWith("\nExpecting the verifier to fail at source line 18 but it failed at "
                        .formatted() + "reject.bpf.c:19: *n += 1; /* BUG: n may be NULL */");
        assertThatThrownBy(() -> assertThatVerifierRejects(Fixtures.loader("reject")).ofProgram("other"))
                .hasMessageStartingWith("\nExpecting the verifier to reject program 'other' but it rejected 'bad_deref'"
                        .formatted());
        assertThatThrownBy(() -> assertThatVerifierRejects(Fixtures.loader("reject")).withHintContaining("loop"))
                .hasMessageStartingWith("\nExpecting a hint containing \"loop\" but the hint is \"check the pointer"
                        .formatted());
    }

    @Test
    void anAcceptedProgramIsNotARejection() {
        assertThatThrownBy(() -> assertThatVerifierRejects(Fixtures.loader("counter")))
                .hasMessage("\nExpecting the verifier to reject counter.bpf.o, but it was accepted");
        assertThatThrownBy(() -> assertThatVerifierRejects(() -> Fixtures.load("counter").close()))
                .hasMessage("\nExpecting the verifier to reject the load, but it was accepted");
        assertThatThrownBy(() -> assertThatVerifierRejects(() -> {
            throw new IllegalStateException("boom");
        })).hasMessage("\nExpecting the verifier to reject the program, but the load failed otherwise:\n  "
                + "java.lang.IllegalStateException: boom");
    }

    @Test
    void processedInstructionsFromALevelTwoLog() {
        assertThat(Fixtures.loader("counter")).isAcceptedWithinInstructions(1000);
        assertThatThrownBy(() -> assertThat(Fixtures.loader("counter")).isAcceptedWithinInstructions(3))
                .hasMessageMatching("(?s)\\RExpecting the verifier to accept every program within 3 processed "
                        + "instructions, but program 'count_packets' took \\d+");
        assertThatThrownBy(() -> assertThat(Fixtures.loader("reject")).isAcceptedWithinInstructions(1000))
                .hasMessageContaining("to accept bad_deref within 1000 processed instructions, but it was rejected");
        try (BpfObject obj = Fixtures.loader("counter").logLevel(2).load()) {
            assertThat(obj.program("count_packets")).wasAcceptedWithinInstructions(1000);
            assertThatThrownBy(() -> assertThat(obj.program("count_packets")).wasAcceptedWithinInstructions(2))
                    .hasMessageMatching("(?s)\\RExpecting the verifier to accept program 'count_packets' within 2 "
                            + "processed instructions, but it took \\d+");
        }
        try (BpfObject obj = Fixtures.load("counter")) {
            assertThatThrownBy(() -> assertThat(obj.program("count_packets")).wasAcceptedWithinInstructions(10))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("load it with logLevel(2)");
        }
    }
}
