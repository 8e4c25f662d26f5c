package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badArgumentsExitWith125AndShowUsage() {
        assertThat(Main.run(new String[] {"--", "true"})).isEqualTo(Main.EXIT_VM_FAILURE);
        assertThat(err()).contains("give --kernel, or --container").contains("usage: bpfunit-vm");
        err.reset();
        assertThat(Main.run(new String[] {"--kernel", "6.12"})).isEqualTo(Main.EXIT_VM_FAILURE);
        assertThat(err()).contains("no command; put it after --");
        err.reset();
        assertThat(Main.run(new String[] {"--kernel", "6.12", "--timeout", "soon", "--", "true"}))
                .isEqualTo(Main.EXIT_VM_FAILURE);
        assertThat(err()).contains("duration 'soon'");
        err.reset();
        assertThat(Main.run(new String[] {"--kernel", "6.12", "--container", "--", "true"}))
                .isEqualTo(Main.EXIT_VM_FAILURE);
        assertThat(err()).contains("exclude each other");
    }

    @Test
    void unknownKernelVersionIsExplained() {
        assertThat(Main.run(new String[] {"--kernel", "2.6", "--", "true"})).isEqualTo(Main.EXIT_VM_FAILURE);
        assertThat(err()).contains("no Debian kernel package matches version '2.6'");
    }

    @Test
    void containerRunStreamsOutputAndReturnsTheExitStatus() {
        int status = Main.run(new String[] {"--container", "--quiet", "--", "sh", "-c", "echo hello; exit 7"});

        assertThat(status).as(err()).isEqualTo(7);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello\n");
    }
}
