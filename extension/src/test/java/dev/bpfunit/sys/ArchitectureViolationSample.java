package dev.bpfunit.sys;

import dev.bpfunit.BpfObject;

/** A deliberate layering violation (sys using the root package) that ArchitectureTest must catch; test code only. */
public final class ArchitectureViolationSample {
    private ArchitectureViolationSample() {
    }

    /** Points up from the bottom layer. */
    public static String nameOf(BpfObject object) {
        return object.toString();
    }
}
