package dev.bpfunit.vm;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened when a command was run in a VM or container: how the run ended, the command's exit code
 * when it ran to its end, the last lines of the console, and how long booting and the whole run took.
 *
 * @param outcome     how the run ended
 * @param exitCode    the command's exit status; meaningful only when {@code outcome} is {@link Outcome#EXITED}
 *                    (-1 otherwise)
 * @param consoleTail the last lines of the console (kernel messages and command output), oldest first
 * @param bootTime    from starting the backend to starting the command, if the command was started
 * @param elapsed     from starting the backend to its end
 * @param detail      a short explanation for outcomes other than {@code EXITED} (the panic line, the
 *                    backend's exit status and error output); empty for {@code EXITED}
 * @param start       how the guest came to run the command: booted, booted and saved, or restored
 */
public record VmResult(Outcome outcome, int exitCode, List<String> consoleTail, Optional<Duration> bootTime,
                       Duration elapsed, String detail, Start start) {

    /** How the guest got to start the command (see {@link VmSnapshots}). */
    public enum Start {
        /** It booted its kernel (and containers start). */
        BOOTED("booted"),
        /** It booted its kernel and was saved on the way, for later runs of the same machine to restore. */
        SAVED("booted and saved"),
        /** It was restored from a guest saved after booting the same kernel. */
        RESTORED("restored");

        private final String text;

        Start(String text) {
            this.text = text;
        }

        /** A word or three for a person: {@code "restored"}. */
        public String text() {
            return text;
        }

        /** What to put after a boot time: {@code " (restored)"}, nothing for a plain boot. */
        public String afterBootTime() {
            return this == BOOTED ? "" : " (" + text + ")";
        }
    }

    /** A result of a guest that booted ({@link Start#BOOTED}). */
    public VmResult(Outcome outcome, int exitCode, List<String> consoleTail, Optional<Duration> bootTime,
                    Duration elapsed, String detail) {
        this(outcome, exitCode, consoleTail, bootTime, elapsed, detail, Start.BOOTED);
    }

    /** How a run ended. Only {@link #EXITED} means the command ran to its end. */
    public enum Outcome {
        /** The command ran to its end; {@link VmResult#exitCode()} is its exit status. */
        EXITED("command exited"),
        /** The guest never got to start the command (a module or a 9p share failed, the kernel did not boot). */
        BOOT_FAILED("guest failed to boot"),
        /** The guest kernel panicked. */
        KERNEL_PANIC("guest kernel panicked"),
        /** The backend (QEMU, the container) ended without the command's exit status and without a panic. */
        GUEST_CRASH("guest crashed"),
        /** The run took longer than its timeout and was killed. */
        TIMEOUT("timed out");

        private final String text;

        Outcome(String text) {
            this.text = text;
        }

        /** A few words for a person, e.g. {@code "guest kernel panicked"}. */
        public String text() {
            return text;
        }
    }

    public VmResult {
        Objects.requireNonNull(outcome, "outcome");
        consoleTail = List.copyOf(consoleTail);
        Objects.requireNonNull(bootTime, "bootTime");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(start, "start");
        detail = detail == null ? "" : detail;
        if (outcome != Outcome.EXITED) {
            exitCode = -1;
        }
    }

    /** True when the command ran to its end and exited with status 0. */
    public boolean succeeded() {
        return outcome == Outcome.EXITED && exitCode == 0;
    }

    /**
     * Returns this result if the command ran to its end (whatever its exit status), or throws a
     * {@link VmFailureException} saying how the guest failed, with the console tail.
     */
    public VmResult requireExited() {
        if (outcome != Outcome.EXITED) {
            throw new VmFailureException(this);
        }
        return this;
    }

    /** One paragraph for a person: the outcome, the detail and the console tail. */
    public String describe() {
        StringBuilder text = new StringBuilder(outcome.text());
        if (outcome == Outcome.EXITED) {
            text.append(" with status ").append(exitCode);
        }
        text.append(" after ").append(elapsed.toMillis()).append(" ms");
        if (!detail.isEmpty()) {
            text.append(": ").append(detail);
        }
        if (!consoleTail.isEmpty()) {
            text.append("\n--- console (last ").append(consoleTail.size()).append(" lines) ---");
            for (String line : consoleTail) {
                text.append('\n').append(line);
            }
        }
        return text.toString();
    }
}
