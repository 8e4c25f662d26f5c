package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GuestArgumentsTest {
    private static final String CPUINFO = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\n"
            + "cpu MHz\t\t: 2599.998\ncache size\t: 16384 KB\n";

    @Test
    void presetLoopsPerJiffyComeFromTheHostTscAndTheKernelsHz() {
        assertThat(VmRunner.presetLpj("CONFIG_X=y\nCONFIG_HZ=250\n", CPUINFO)).hasValue(10_399_992L);
        assertThat(VmRunner.presetLpj("CONFIG_HZ=1000\n", CPUINFO)).hasValue(2_599_998L);
    }

    @Test
    void noPresetWhenEitherIsUnknown() {
        assertThat(VmRunner.presetLpj("CONFIG_HZ_250=y\n", CPUINFO)).isEmpty();
        assertThat(VmRunner.presetLpj("CONFIG_HZ=250\n", "processor\t: 0\n")).isEmpty();
    }

    @Test
    void extraArgumentsFollowThePreset() {
        String before = System.getProperty(VmRunner.EXTRA_APPEND);
        try {
            System.setProperty(VmRunner.EXTRA_APPEND, " initcall_debug ");
            assertThat(VmRunner.guestArguments(KernelImage.debian("6.12"))).matches("lpj=\\d+ initcall_debug");
        } finally {
            if (before == null) {
                System.clearProperty(VmRunner.EXTRA_APPEND);
            } else {
                System.setProperty(VmRunner.EXTRA_APPEND, before);
            }
        }
    }
}
