package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MatrixPlanTest {
    private static final long PLENTY = 20_000;

    @Test
    void autoSharesTheCoresAmongTheKernelsThatRunAtOnce() {
        // 2 cores, 6.1 + 6.12 + container: two at once with one CPU each, never four busy vCPUs on two cores
        assertThat(MatrixPlan.of("auto", "auto", 3, 2, PLENTY, 2048)).isEqualTo(new MatrixPlan(2, 1));
        assertThat(MatrixPlan.of("auto", "auto", 1, 2, PLENTY, 2048)).isEqualTo(new MatrixPlan(1, 2));
        assertThat(MatrixPlan.of("auto", "auto", 2, 8, PLENTY, 2048)).isEqualTo(new MatrixPlan(2, 4));
        assertThat(MatrixPlan.of("auto", "auto", 3, 1, PLENTY, 2048)).isEqualTo(new MatrixPlan(1, 1));
    }

    @Test
    void autoStartsNoMoreGuestsThanTheMemoryHolds() {
        assertThat(MatrixPlan.of("auto", "auto", 3, 16, 5000, 2048)).isEqualTo(new MatrixPlan(2, 8));
        assertThat(MatrixPlan.of("auto", "auto", 3, 16, 1000, 2048)).isEqualTo(new MatrixPlan(1, 16));
        assertThat(MatrixPlan.of("auto", "auto", 3, 2, -1, 2048)).isEqualTo(new MatrixPlan(2, 1)); // unknown
    }

    @Test
    void givenSettingsWin() {
        assertThat(MatrixPlan.of("1", "auto", 3, 2, PLENTY, 2048)).isEqualTo(new MatrixPlan(1, 2));
        assertThat(MatrixPlan.of("auto", "2", 3, 2, PLENTY, 2048)).isEqualTo(new MatrixPlan(1, 2));
        assertThat(MatrixPlan.of("3", "1", 3, 2, PLENTY, 2048)).isEqualTo(new MatrixPlan(3, 1));
        assertThat(MatrixPlan.of(" AUTO ", null, 3, 4, PLENTY, 2048)).isEqualTo(new MatrixPlan(3, 1));
    }

    @Test
    void badSettingsNameTheKeyAndTheFix() {
        assertThatThrownBy(() -> MatrixPlan.of("two", "auto", 3, 2, PLENTY, 2048))
                .isInstanceOf(VmException.class)
                .hasMessage("bpfunit.kernels.parallel is 'two': give a number of at least 1, or auto");
        assertThatThrownBy(() -> MatrixPlan.of("auto", "0", 3, 2, PLENTY, 2048))
                .isInstanceOf(VmException.class).hasMessageContaining("bpfunit.kernels.cpus is '0'");
    }

    @Test
    void theHostHasMemoryToReport() {
        assertThat(MatrixPlan.availableMiB()).isPositive();
    }
}
