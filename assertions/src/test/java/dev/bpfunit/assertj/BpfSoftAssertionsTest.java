package dev.bpfunit.assertj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.TestRun;
import dev.bpfunit.XdpAction;
import dev.bpfunit.spec.ProgramType;
import java.util.List;
import org.assertj.core.error.AssertJMultipleFailuresError;
import org.junit.jupiter.api.Test;

class BpfSoftAssertionsTest {

    @Test
    void collectsEveryFailure() {
        BpfSoftAssertions softly = new BpfSoftAssertions();
        TestRun run = new TestRun(2, new byte[4], new byte[4], new byte[0], 10, 1, ProgramType.XDP);
        softly.assertThat(run).hasVerdict(XdpAction.DROP).hasRetval(3).hasDataUnchanged();
        softly.assertThat(new LatencySamples(List.of(10L, 11L, 12L), 1, 0)).hasAverageNsPerRunBelow(5);
        assertThat(softly.errorsCollected()).hasSize(3);
        assertThatThrownBy(softly::assertAll).isInstanceOf(AssertJMultipleFailuresError.class)
                .hasMessageContaining("to end with DROP (1, XdpAction) but it ended with PASS (2, XdpAction)")
                .hasMessageContaining("to return 3 but it returned 2 (PASS)")
                .hasMessageContaining("median time per run to be below 5 ns");
    }
}
