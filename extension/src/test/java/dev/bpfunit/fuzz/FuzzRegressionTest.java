package dev.bpfunit.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every input the fuzzer once found (saved under {@code src/test/resources/fuzz/<target>/}): each must
 * now give a normal result or a {@link BpfException}, within the fuzzer's time limit.
 */
class FuzzRegressionTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fuzz");

    static Stream<Path> findings() throws IOException {
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            return files.filter(Files::isRegularFile).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("findings")
    void savedFindingGivesOnlyABpfException(Path file) throws IOException {
        FuzzTarget target = FuzzTarget.valueOf(file.getParent().getFileName().toString().toUpperCase(Locale.ROOT));
        byte[] bytes = Files.readAllBytes(file);

        Throwable outcome = Assertions.assertTimeoutPreemptively(Duration.ofMillis(Fuzzer.TIMEOUT_MILLIS),
                () -> Fuzzer.outcomeOf(target, bytes));

        if (outcome != null) {
            assertThat(outcome).as("%s on %s", target, file).isInstanceOf(BpfException.class);
            if (outcome.getCause() instanceof RuntimeException cause) {
                assertThat(cause).as("what the reader's safety net caught").isInstanceOf(BpfException.class);
            }
        }
    }
}
