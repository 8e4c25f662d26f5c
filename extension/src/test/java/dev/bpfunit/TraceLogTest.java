package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Lines of the kernel's trace buffer, as the 6.x kernels print them, parsed into task, pid, CPU, time and message. */
class TraceLogTest {

    @Test
    void parsesTraceLinesAndSkipsTheHeader() {
        String text = """
                # tracer: nop
                #
                #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
                #              | |         |   |||||     |         |
                            java-4242    [001] ...21  1234.567890: bpf_trace_printk: bpfunit getpid from 4242
                  kworker/0:1-17      [000] d..2.  1234.600001: tracing_mark_write: marker-1
                 <...>-99    (   98) [003] .....  1300.000001: bpf_trace_printk: with a tgid column: a: b
                """;
        List<TraceLog.Line> lines = TraceLog.parse(text);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo(new TraceLog.Line("java", 4242, 1, 1234.567890, "bpf_trace_printk",
                "bpfunit getpid from 4242"));
        assertThat(lines.get(1).task()).isEqualTo("kworker/0:1");
        assertThat(lines.get(1).event()).isEqualTo("tracing_mark_write");
        assertThat(lines.get(2).pid()).isEqualTo(99);
        assertThat(lines.get(2).message()).isEqualTo("with a tgid column: a: b");
    }
}
