package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;

/**
 * What a program's return value means for its type: an {@link XdpAction}, {@link TcAction},
 * {@link SkAction} or {@link BpfRetCode}, or a {@link RawVerdict} when the type gives the value no name
 * (socket filters return a length) or the value is not one the type defines.
 */
public sealed interface Verdict permits XdpAction, TcAction, SkAction, BpfRetCode, RawVerdict {

    /** The program's return value as the kernel reported it. */
    int raw();

    /** The name of the verdict ({@code PASS}, {@code SHOT}), or the raw number for a {@link RawVerdict}. */
    String name();

    /** The verdict of {@code retval} for a program of {@code type}. */
    static Verdict of(ProgramType type, int retval) {
        return RunKind.of(type).verdict(type, retval);
    }

    /**
     * The type of verdict a program of {@code type} returns: {@code XdpAction.class} for XDP, {@code TcAction.class}
     * for SCHED_CLS and SCHED_ACT, ..., {@code RawVerdict.class} where the type gives its return values no names.
     */
    static Class<? extends Verdict> typeOf(ProgramType type) {
        return RunKind.verdictType(type);
    }

    /** Names the known values of an enum of verdicts, for messages about an unknown one. */
    static <E extends Enum<E> & Verdict> String known(Class<E> type) {
        StringBuilder b = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            b.append(b.length() == 0 ? "" : ", ").append(e.name()).append('=').append(e.raw());
        }
        return b.toString();
    }
}
