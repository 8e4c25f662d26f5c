package dev.bpfunit.vm;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.platform.engine.ConfigurationParameters;

/** JUnit configuration parameters from a map, for tests of the settings the matrix engine reads. */
final class TestConfigurationParameters {
    private TestConfigurationParameters() {
    }

    static ConfigurationParameters of(Map<String, String> values) {
        return new ConfigurationParameters() {
            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(values.get(key));
            }

            @Override
            public Optional<Boolean> getBoolean(String key) {
                return get(key).map(Boolean::parseBoolean);
            }

            @Override
            public Set<String> keySet() {
                return values.keySet();
            }
        };
    }
}
