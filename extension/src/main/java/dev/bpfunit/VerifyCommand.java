package dev.bpfunit;

import dev.bpfunit.asm.ControlFlowGraph;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ProgramSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code bpfunit-verify} command: loads an object into the running kernel and prints the diagnosis a test
 * would show (the cause, the failing instruction in context, the fix, the statistics), for use outside tests and
 * from editors. Exit status: 0 when every program loaded, 1 when one was rejected or the object could not be
 * loaded, 2 for a usage error.
 *
 * <pre>bpfunit-verify x.bpf.o [--program p] [--dot out.dot]</pre>
 */
public final class VerifyCommand {

    static final String USAGE = "usage: bpfunit-verify OBJECT.bpf.o [--program NAME] [--dot OUT.dot]";

    private VerifyCommand() {
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path object = null;
        String program = null;
        Path dot = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--program") || a.equals("--dot")) && i + 1 < args.length) {
                if (a.equals("--program")) {
                    program = args[++i];
                } else {
                    dot = Path.of(args[++i]);
                }
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (a.startsWith("-") || object != null) {
                err.println(USAGE);
                return 2;
            } else {
                object = Path.of(a);
            }
        }
        if (object == null) {
            err.println(USAGE);
            return 2;
        }
        if (!Files.isRegularFile(object)) {
            err.println("bpfunit-verify: no file " + object);
            return 2;
        }
        try {
            BpfObjectLoader loader = BpfObject.loader(object).logLevel(1);
            List<String> names = new ArrayList<>();
            for (ProgramSpec p : loader.spec().programs()) {
                names.add(p.name());
            }
            if (program != null) {
                if (!names.contains(program)) {
                    err.println("bpfunit-verify: no program '" + program + "' in " + object.getFileName()
                            + "; programs: " + String.join(", ", names));
                    return 2;
                }
                for (String n : names) {
                    if (!n.equals(program)) {
                        loader.skipProgram(n);
                    }
                }
            }
            try (BpfObject obj = loader.load()) {
                for (BpfProgram p : obj.programs()) {
                    out.println(p.name() + ": accepted" + p.verifierLog().flatMap(VerifierLog::statistics)
                            .map(s -> " (" + s.processedInstructions() + " instructions processed, "
                                    + s.totalStates() + " states, peak " + s.peakStates() + ")").orElse(""));
                }
                if (dot != null) {
                    ProgramSpec spec = program != null ? loader.spec().program(program) : loader.spec().programs()
                            .get(0);
                    writeDot(dot, ControlFlowGraph.of(spec.instructions()).toDot(spec.name(),
                            slot -> spec.lineOf(slot).map(ProgramLoading::sourceText).orElse(null), -1), out);
                }
                return 0;
            }
        } catch (VerifierException e) {
            out.println(e.getMessage());
            Optional<String> graph = e.controlFlowGraphDot();
            if (dot != null && graph.isPresent()) {
                writeDot(dot, graph.get(), out);
            }
            return 1;
        } catch (BpfException e) {
            out.println(e.getMessage());
            return 1;
        }
    }

    private static void writeDot(Path dot, String text, PrintStream out) {
        try {
            Files.writeString(dot, text, StandardCharsets.UTF_8);
            out.println("control-flow graph: " + dot);
        } catch (IOException e) {
            throw new BpfException("cannot write " + dot + ": " + e.getMessage(), e);
        }
    }
}
