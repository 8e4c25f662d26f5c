package dev.bpfunit.assertj;

import dev.bpfunit.ProgramInfo;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on what the kernel counted for a program running in the live kernel ({@code run_cnt},
 * {@code run_time_ns} while {@code BpfStats} are on): the live counterpart of {@link LatencyAssert}, for programs
 * that are attached rather than test-run. Take the info after the trigger: {@code assertThat(program.info())}.
 */
public class ProgramInfoAssert extends AbstractObjectAssert<ProgramInfoAssert, ProgramInfo> {

    public ProgramInfoAssert(ProgramInfo actual) {
        super(actual, ProgramInfoAssert.class);
    }

    /** The kernel counted at least {@code runs} runs. */
    public ProgramInfoAssert hasRunAtLeast(long runs) {
        isNotNull();
        if (runs < 0) {
            throw new IllegalArgumentException("runs must not be negative, was " + runs);
        }
        if (actual.runCnt() < runs) {
            failWithMessage("%nExpecting program '%s' (id %d) to have run at least %d times, but the kernel counted %d"
                    + "%s", actual.name(), actual.id(), runs, actual.runCnt(), statsHint());
        }
        return myself;
    }

    /** The average time per run, {@code run_time_ns / run_cnt}, is below {@code boundNs}. */
    public ProgramInfoAssert hasAverageNsPerRunBelow(long boundNs) {
        isNotNull();
        if (boundNs <= 0) {
            throw new IllegalArgumentException("the bound must be positive, was " + boundNs);
        }
        if (actual.runCnt() == 0) {
            failWithMessage("%nExpecting program '%s' (id %d) to average below %d ns per run, but no run was counted%s",
                    actual.name(), actual.id(), boundNs, statsHint());
        }
        double avg = actual.averageRunTimeNs().orElseThrow();
        if (avg >= boundNs) {
            failWithMessage("%nExpecting program '%s' (id %d) to average below %d ns per run, but it averaged %.1f ns "
                    + "over %d runs (run_time_ns %d)", actual.name(), actual.id(), boundNs, avg, actual.runCnt(),
                    actual.runTimeNs());
        }
        return myself;
    }

    private String statsHint() {
        return actual.runCnt() == 0 && actual.runTimeNs() == 0
                ? ": were statistics on (BpfStats.enable()) and was the program attached and triggered?" : "";
    }
}
