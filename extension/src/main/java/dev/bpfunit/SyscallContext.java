package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;

/**
 * The context of a {@code syscall} program test run: whatever struct the program declares, as raw bytes
 * (at most 65535). The kernel copies it back after the run, so {@link TestRun#contextOut()} holds what the
 * program wrote into it.
 *
 * @param bytes the struct's bytes in this machine's byte order
 */
public record SyscallContext(byte[] bytes) implements RunContext {
    /** The kernel's limit on a syscall program's context ({@code U16_MAX}). */
    public static final int MAX_SIZE = 0xffff;

    public SyscallContext {
        if (bytes == null || bytes.length > MAX_SIZE) {
            throw new IllegalArgumentException("a syscall program's context is at most " + MAX_SIZE + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public byte[] encode() {
        return bytes.clone();
    }

    @Override
    public String kernelStruct() {
        return "syscall program context";
    }

    @Override
    public RunKind kind() {
        return RunKind.SYSCALL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyscallContext s && java.util.Arrays.equals(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "SyscallContext[" + bytes.length + " bytes]";
    }
}
