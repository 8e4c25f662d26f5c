package dev.bpfunit.vm;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The one test the class-data archive's training run ({@link GuestLauncher#TRAIN}) executes, so that the archive
 * holds what the engines load to run a test (Jupiter's execution, extension registry, output capture, reporting)
 * and not only their discovery; the user's tests are discovered there, never run. Enabled only in that run.
 */
@EnabledIfSystemProperty(named = GuestLauncher.GUEST_PROPERTY, matches = GuestLauncher.TRAINING)
class GuestWarmUp {

    @Test
    void runsLikeATestInTheGuest(TestReporter reporter) {
        System.out.println("bpfunit class-data training run");
        reporter.publishEntry("training", "class data");
        Assertions.assertEquals(2, 1 + 1, "arithmetic");
    }
}
