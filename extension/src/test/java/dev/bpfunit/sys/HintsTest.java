package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The errno hint table: its order, and that no row hides behind an earlier, more general one. */
class HintsTest {

    @Test
    void theRowsAreTriedInThisOrder() {
        assertThat(Hints.ROWS.stream().map(Hints.Row::errno).toList()).containsExactly(
                Errno.EMFILE, Errno.EPERM, Errno.E2BIG, Errno.E2BIG, Errno.E2BIG, Errno.E2BIG,
                Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL,
                Errno.EINVAL, Errno.ENOSPC, Errno.ENOSPC, Errno.ENOSPC, Errno.ENOENT, Errno.ENOENT, Errno.ENOENT,
                Errno.ENOENT, Errno.ENOENT, Errno.EEXIST, Errno.EEXIST, Errno.EACCES, Errno.EACCES, Errno.EBADF,
                Errno.ENOTSUPP, Errno.EOPNOTSUPP, Errno.ENOTSUPP, Errno.EOPNOTSUPP, Errno.ENOSYS, Errno.ENOMEM,
                Errno.EFAULT, Errno.EBUSY, Errno.EAGAIN, Errno.EINTR, Errno.ENODEV, Errno.ERANGE, Errno.ELOOP);
    }

    @Test
    void everyRowIsReachableForSomeCommand() {
        List<Hints.Row> rows = Hints.ROWS;
        for (int j = 0; j < rows.size(); j++) {
            Hints.Row later = rows.get(j);
            int index = j;
            boolean reachable = Arrays.stream(BpfCommand.values()).anyMatch(c -> later.commands().test(c)
                    && rows.subList(0, index).stream().noneMatch(r -> r.errno() == later.errno()
                    && r.commands().test(c)));
            assertThat(reachable).as("row %d (%s) is hidden by an earlier row", j, later.errno()).isTrue();
        }
    }

    @Test
    void aCommandSpecificRowWinsOverTheGeneralOne() {
        assertThat(Hints.forBpf(BpfCommand.BPF_PROG_LOAD, Errno.EACCES.number(), null)).contains("verifier");
        assertThat(Hints.forBpf(BpfCommand.BPF_MAP_LOOKUP_ELEM, Errno.EACCES.number(), null)).contains("read-only");
        assertThat(Hints.forBpf(BpfCommand.BPF_MAP_LOOKUP_ELEM, Errno.EEXIST.number(), null)).isEmpty();
    }
}
