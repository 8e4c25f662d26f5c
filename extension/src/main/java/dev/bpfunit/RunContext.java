package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;

/**
 * A typed context for {@code BPF_PROG_TEST_RUN} ({@code ctx_in}): it encodes itself to the kernel's
 * layout, so a test never packs {@code struct xdp_md} or {@code __sk_buff} by hand. Pass one to
 * {@link TestRunBuilder#context(RunContext)}; raw bytes remain possible with
 * {@link TestRunBuilder#context(byte[])}.
 */
public sealed interface RunContext
        permits XdpContext, SkbContext, FlowKeys, SkLookupContext, RawTracepointArgs, SyscallContext {

    /** The bytes of {@code ctx_in}, in this machine's byte order and the kernel's layout. */
    byte[] encode();

    /** The kernel struct this is ({@code struct xdp_md}), for messages. */
    String kernelStruct();

    /** The run kind whose context this is: the one place that says which program types take it. */
    RunKind kind();

    /** Whether a program of this type takes this context in a test run. */
    default boolean fits(ProgramType type) {
        return RunKind.of(type) == kind();
    }
}
