package dev.bpfunit.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A short, seeded fuzzing pass over the readers (the same inputs on every run); {@code -Dbpfunit.fuzz.inputs}
 * and {@code -Dbpfunit.fuzz.seed} make it a long run. Findings are saved under {@code target/fuzz-findings}.
 */
@Isolated("an input counts as a hang after 5 s of wall time: tests running beside it on a shared machine made "
        + "inputs that take 0.2 s count as hangs")
class FuzzTest {

    @Test
    void mutantsGiveOnlyBpfExceptionsWithinTheTimeLimit() {
        long inputs = Long.getLong("bpfunit.fuzz.inputs", 20_000);
        long seed = Long.getLong("bpfunit.fuzz.seed", 20261206L);
        Fuzzer fuzzer = Fuzzer.fromDirectories(Fuzzer.defaultSeedDirs(), Path.of("target/fuzz-findings"));

        Fuzzer.Result result = fuzzer.run(seed, inputs,
                n -> System.out.println("fuzz: " + n + " of " + inputs + " inputs"));

        System.out.println("fuzz: " + result);
        assertThat(result.findings()).as("outcomes other than a BpfException; inputs saved: %s", result.saved())
                .isEmpty();
        assertThat(result.hangs()).as("inputs over %d ms", Fuzzer.TIMEOUT_MILLIS).isZero();
        assertThat(result.rejected()).as("mutants the readers refused").isGreaterThan(inputs / 10);
    }
}
