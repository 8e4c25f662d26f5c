package dev.bpfunit.vm;

import dev.bpfunit.junit.BpfTest;
import org.junit.jupiter.api.Test;

/** A {@code @BpfTest} class for discovery tests of the kernel-matrix engine (never run). */
@BpfTest
class BpfTestFixture {
    @Test
    void loads() {
    }
}
