package dev.bpfunit.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Runs the host's helper commands (xz, apt-get, dpkg-deb, docker) and turns their failures into messages. */
final class HostTools {
    private HostTools() {
    }

    /** The result of a finished helper command. */
    record Run(int exitCode, byte[] stdout, String stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs {@code command} in {@code dir} (null: the current directory) to its end, stdin closed.
     *
     * @param what       what the command is for, for messages ("decompressing kernel module x")
     * @param debPackage the Debian package providing the command, named when it is missing
     */
    static Run run(List<String> command, Path dir, String what, String debPackage) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null")));
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new VmException(what + " needs the command " + command.get(0) + ", which cannot be run ("
                    + e.getMessage() + "); install the Debian package " + debPackage, e);
        }
        try {
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            byte[] out = readAll(process.getInputStream());
            int code = process.waitFor();
            return new Run(code, out, new String(err.join(), StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException(what + ": interrupted", e);
        } finally {
            process.destroyForcibly();
        }
    }

    /** Like {@link #run} but returns stdout and fails unless the command exits with 0. */
    static byte[] output(List<String> command, String what, String debPackage) {
        Run run = run(command, null, what, debPackage);
        if (run.exitCode() != 0) {
            throw new VmException(what + ": " + String.join(" ", command) + " exited with " + run.exitCode()
                    + (run.stderr().isEmpty() ? "" : ": " + run.stderr()));
        }
        return run.stdout();
    }

    /** The first executable file called {@code name} on the PATH. */
    static Optional<Path> onPath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
