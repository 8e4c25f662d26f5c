package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void knowsNamesNumbersAndStrerrorTexts() {
        assertThat(Errno.of(7)).isEqualTo(Errno.E2BIG);
        assertThat(Errno.E2BIG.description()).isEqualTo("Argument list too long");
        assertThat(Errno.of(1)).isEqualTo(Errno.EPERM);
        assertThat(Errno.of(95)).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(Errno.of(133)).isEqualTo(Errno.EHWPOISON);
        assertThat(Errno.ENOTSUPP.number()).isEqualTo(524);
        assertThat(Errno.of(524)).isEqualTo(Errno.ENOTSUPP);
        assertThat(Errno.of(512)).isEqualTo(Errno.ERESTARTSYS);
    }

    @Test
    void negativeNumbersAreTheKernelsNegatedReturn() {
        assertThat(Errno.of(-22)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void unknownNumbersNeverThrow() {
        assertThat(Errno.of(0)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.of(41)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.of(520)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.of(100_000)).isEqualTo(Errno.UNKNOWN);
        assertThat(Errno.of(Integer.MIN_VALUE)).isEqualTo(Errno.UNKNOWN);
    }

    @Test
    void everyKnownNumberIsUniqueAndRoundTrips() {
        Errno[] known = Arrays.stream(Errno.values()).filter(e -> e != Errno.UNKNOWN).toArray(Errno[]::new);
        assertThat(known).hasSize(131 + 19);
        for (Errno e : known) {
            assertThat(Errno.of(e.number())).as(e.name()).isSameAs(e);
            assertThat(e.description()).as(e.name()).isNotBlank();
        }
    }
}
