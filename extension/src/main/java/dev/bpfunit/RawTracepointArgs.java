package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;
import java.nio.ByteBuffer;

/**
 * The arguments of a raw tracepoint test run ({@code struct bpf_raw_tracepoint_args}: {@code u64 args[]}),
 * what the program reads as {@code ctx->args[i]}. At most 12 ({@code MAX_BPF_FUNC_ARGS}); the program
 * must not read past the ones given.
 *
 * @param args the arguments, as u64
 */
public record RawTracepointArgs(long... args) implements RunContext {
    /** {@code MAX_BPF_FUNC_ARGS}. */
    public static final int MAX_ARGS = 12;

    public RawTracepointArgs {
        if (args == null || args.length > MAX_ARGS) {
            throw new IllegalArgumentException("a raw tracepoint takes at most " + MAX_ARGS + " arguments, got "
                    + (args == null ? "null" : args.length));
        }
        args = args.clone();
    }

    @Override
    public long[] args() {
        return args.clone();
    }

    @Override
    public byte[] encode() {
        ByteBuffer b = Contexts.writer(8 * args.length);
        for (long a : args) {
            b.putLong(a);
        }
        return b.array();
    }

    @Override
    public String kernelStruct() {
        return "struct bpf_raw_tracepoint_args";
    }

    @Override
    public RunKind kind() {
        return RunKind.RAW_TRACEPOINT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTracepointArgs r && java.util.Arrays.equals(args, r.args);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        return "RawTracepointArgs" + java.util.Arrays.toString(args);
    }
}
