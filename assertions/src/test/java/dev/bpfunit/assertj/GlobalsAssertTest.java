package dev.bpfunit.assertj;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfObject;
import org.junit.jupiter.api.Test;

class GlobalsAssertTest {

    @Test
    void variablesComparedByTypeWithTheCTypeInTheMessage() {
        try (BpfObject obj = Fixtures.loader("counter").global("port", (short) 53).load()) {
            assertThat(obj.globals()).hasVariable("verdict", 2).hasVariable("port", 53).hasVariable("delta", 1)
                    .hasVariable("enabled", true).hasVariable("tag", "none")
                    .hasVariable("verdict", new byte[]{2, 0, 0, 0});
            assertThat(obj.globals().get("port")).hasValue(53);
            assertThatThrownBy(() -> assertThat(obj.globals()).hasVariable("port", 80))
                    .hasMessage("\nExpecting global const volatile __u16 port to be 80 but it is 53");
            assertThatThrownBy(() -> assertThat(obj.globals()).hasVariable("tag", "some"))
                    .hasMessage("\nExpecting global const volatile char[8] tag to be \"some\" but it is \"none\"");
            assertThatThrownBy(() -> assertThat(obj.globals().get("enabled")).hasValue(false))
                    .hasMessageContaining("_Bool enabled to be false but it is");
            assertThatThrownBy(() -> assertThat(obj.globals()).hasVariable("port", new Object()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pass a number");
        }
    }
}
