package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThatVerifierRejects;

import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.junit.BpfTest;
import org.junit.jupiter.api.Test;

/**
 * The null dereference after {@code bpf_map_lookup_elem}: the verifier rejects it, and the test asserts the
 * diagnosis (the message, the source line, the hint). A test that injected the program instead would fail
 * with the same summary, and the whole log under target/bpfunit/.
 */
// snippet:rejected
@BpfTest("bpf/rejected.bpf.o")
class RejectedProgramTest {

    @Test
    void theVerifierPointsAtTheUncheckedLookup(BpfObjectLoader loader) {
        assertThatVerifierRejects(loader).ofProgram("null_deref")
                .withMessageMatching("R0 invalid mem access 'map_value_or_null'")
                .atSourceLine("rejected.bpf.c:27")
                .withHintContaining("check the pointer returned by bpf_map_lookup_elem() for NULL");
    }
}
// end:rejected
