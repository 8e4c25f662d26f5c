package dev.bpfunit.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Renders a DOT file to SVG with Graphviz's {@code dot}, where it is installed; bpfunit never requires it. */
final class Graphviz {

    private Graphviz() {
    }

    /** The SVG file written beside {@code dotFile}, or empty when {@code dot} is missing or failed. */
    static Optional<Path> renderSvg(Path dotFile) {
        Optional<Path> dot = executable();
        if (dot.isEmpty()) {
            return Optional.empty();
        }
        String name = dotFile.getFileName().toString().replaceFirst("\\.dot$", "") + ".svg";
        Path svg = dotFile.resolveSibling(name);
        try {
            Process p = new ProcessBuilder(dot.get().toString(), "-Tsvg", "-o", svg.toString(), dotFile.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 && Files.exists(svg) ? Optional.of(svg) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Graphviz's {@code dot} on the PATH. */
    static Optional<Path> executable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "dot");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
