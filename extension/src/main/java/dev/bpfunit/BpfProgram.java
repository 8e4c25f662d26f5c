package dev.bpfunit;

import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.ProgInfo;

/** A program loaded into the kernel (the verifier accepted it). Closed with its object. */
public final class BpfProgram implements AutoCloseable {

    private final ProgramSpec spec;
    private final Fd fd;
    private final VerifierLog verifierLog;

    BpfProgram(ProgramSpec spec, Fd fd) {
        this(spec, fd, null);
    }

    BpfProgram(ProgramSpec spec, Fd fd, VerifierLog verifierLog) {
        this.spec = spec;
        this.fd = fd;
        this.verifierLog = verifierLog;
    }

    /** The function's name. */
    public String name() {
        return spec.name();
    }

    /** The program type it was loaded as. */
    public ProgramType type() {
        return spec.type();
    }

    /** The linked definition it was loaded from. */
    public ProgramSpec spec() {
        return spec;
    }

    /**
     * The verifier's log of the accepted load, with its statistics ({@code processed N insns}), when the
     * loader asked for one ({@code BpfObjectLoader#logLevel(int)} 1 or 2); empty otherwise.
     */
    public java.util.Optional<VerifierLog> verifierLog() {
        return java.util.Optional.ofNullable(verifierLog);
    }

    /** The kernel's file descriptor for this program. */
    public Fd fd() {
        return fd;
    }

    /**
     * The instructions as the kernel runs them (translated: helper calls resolved, map pointers in place, some
     * helpers inlined), disassembled in the kernel's syntax, each run of instructions under the source line it
     * came from ({@code ; file:line: text}, from the kernel's line info). Kernel addresses are masked. Lets a
     * test assert that the compiler kept a check: {@code anyMatch(l -> l.contains("if r2 > r3"))}.
     */
    public java.util.List<String> translatedInstructions() {
        byte[] xlated = info().xlatedInsns();
        if (xlated.length == 0) {
            return java.util.List.of();
        }
        java.util.Map<Long, dev.bpfunit.btf.LineInfo> byOffsets = new java.util.HashMap<>();
        for (dev.bpfunit.btf.LineInfo li : spec.lineInfos()) {
            byOffsets.putIfAbsent(((long) li.fileNameOffset() << 32) | (li.lineOffset() & 0xffffffffL), li);
        }
        java.util.Map<Integer, String> sourceAt = new java.util.HashMap<>();
        for (int[] rec : Bpf.progLineInfo(fd)) {
            dev.bpfunit.btf.LineInfo li = byOffsets.get(((long) rec[1] << 32) | (rec[2] & 0xffffffffL));
            if (li != null) {
                sourceAt.put(rec[0], BpfObjectLoader.sourceText(li));
            }
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.List<String> insns = dev.bpfunit.asm.Disassembler.disassemble(xlated);
        for (String line : insns) {
            int slot = Integer.parseInt(line.substring(0, line.indexOf(':')));
            String src = sourceAt.get(slot);
            if (src != null) {
                out.add("; " + src);
            }
            out.add(VerifierLog.mask(line));
        }
        return java.util.List.copyOf(out);
    }

    /** The size of the program's JIT-compiled machine code in bytes; 0 when it runs in the interpreter. */
    public int jitedSize() {
        return info().jitedProgLen();
    }

    /** The program's control-flow graph in Graphviz DOT, as the object has it (before loading rewrote it). */
    public String controlFlowGraphDot() {
        return dev.bpfunit.asm.ControlFlowGraph.of(spec.instructions()).toDot(name(),
                slot -> spec.lineOf(slot).map(BpfObjectLoader::sourceText).orElse(null), -1);
    }

    /** What the kernel reports about the program ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    public ProgInfo info() {
        return Bpf.progInfo(fd);
    }

    /**
     * Runs the program once on {@code data} ({@code BPF_PROG_TEST_RUN}) with the default output buffers;
     * see {@link #testRun()} for contexts, repetitions and flags.
     */
    public TestRun run(byte[] data) {
        return testRun().data(data).run();
    }

    /** A test run of this program to configure: data, context, repeat, CPU, live frames. */
    public TestRunBuilder testRun() {
        return new TestRunBuilder(this);
    }

    /** Closes the program's file descriptor. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "program '" + name() + "' (" + spec.type() + ", section " + spec.section() + ")";
    }
}
