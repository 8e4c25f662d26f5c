package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

class JupiterCompatTest {

    @Test
    void versionsFrom510OnAreSupported() {
        assertThat(JupiterCompat.atLeast("5.9.3", JupiterCompat.MINIMUM)).isFalse();
        assertThat(JupiterCompat.atLeast("4.13", JupiterCompat.MINIMUM)).isFalse();
        assertThat(JupiterCompat.atLeast("5.10.0", JupiterCompat.MINIMUM)).isTrue();
        assertThat(JupiterCompat.atLeast("5.10.0-M1", JupiterCompat.MINIMUM)).isTrue();
        assertThat(JupiterCompat.atLeast("5.14.4", JupiterCompat.MINIMUM)).isTrue();
        assertThat(JupiterCompat.atLeast("6.1.3", JupiterCompat.MINIMUM)).isTrue();
        assertThat(JupiterCompat.atLeast("6", JupiterCompat.MINIMUM)).isTrue();
        assertThat(JupiterCompat.atLeast("unknown", JupiterCompat.MINIMUM)).isTrue();
    }

    @Test
    void theBuildsOwnJupiterPassesTheCheck() {
        assertThat(ExtensionContext.class.getPackage().getImplementationVersion()).startsWith("6.");
        JupiterCompat.requireSupportedVersion();
    }
}
