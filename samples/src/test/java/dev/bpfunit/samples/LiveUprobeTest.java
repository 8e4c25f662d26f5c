package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.Hook;
import dev.bpfunit.Link;
import dev.bpfunit.RingBuffer;
import dev.bpfunit.Triggers;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.RequiresHook;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Uprobes on the project's native library and on libc, reporting through a ring buffer and a counter. */
@BpfTest("bpf/live_uprobe.bpf.o")
@RequiresHook(Hook.UPROBE)
class LiveUprobeTest {

    /** struct call { u32 kind; u32 tid; s32 a; s32 b; s64 ret; }. */
    record Call(int kind, int tid, int a, int b, long ret) {
        static Call of(byte[] record) {
            ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
            return new Call(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), b.getLong(16));
        }
    }

    // snippet:uprobe
    @Test
    void reportsTheArgumentsAndResultOfANativeCall(BpfObjectLoader loader) {
        Path library = NativeTarget.path();               // built by gcc in the samples' Maven build
        NativeTarget.Lib lib = NativeTarget.lib();
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            obj.program("on_add").attachUprobe(library, "bpfunit_add", Triggers.pid());
            obj.program("on_add_return").attachUretprobe(library, "bpfunit_add", Triggers.pid());

            int sum = lib.bpfunit_add(2, 40);

            RingBuffer calls = obj.ringBuffer("calls");
            List<Call> got = calls.await(2, Duration.ofSeconds(2)).stream().map(Call::of).toList();
            assertThat(sum).isEqualTo(42);
            assertThat(got).containsExactly(new Call(1, Triggers.tid(), 2, 40, 0), new Call(2, Triggers.tid(), 0, 0, 42));
        }
    }
    // end:uprobe

    @Test
    void aUprobeForAnotherProcessSeesNothingOfOurs(BpfObjectLoader loader) throws Exception {
        Path library = NativeTarget.path();
        Process other = new ProcessBuilder("sleep", "30").start();
        try (BpfObject obj = loader.load()) {
            obj.program("on_add").attachUprobe(library, "bpfunit_add", (int) other.pid());
            NativeTarget.lib().bpfunit_add(1, 2);
            assertThatThrownBy(() -> obj.ringBuffer("calls").await(1, Duration.ofMillis(300)))
                    .isInstanceOf(BpfException.class)
                    .hasMessage("waited 300 ms for 1 record from ring buffer 'calls', got 0");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void theSectionNamesTheLibraryAndFunction(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            Link link = obj.program("libc_getpid").attach();     // SEC("uprobe/libc.so.6:getpid")
            assertThat(link.target()).startsWith("uprobe /").contains("libc.so.6:getpid");
            Triggers.getpid();
            Triggers.getpid();
            assertThat(obj.globals().get("libc_getpid_calls").asLong()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aBareUprobeSectionNeedsAnExplicitTarget(BpfObjectLoader loader) {
        try (BpfObject obj = loader.load()) {
            assertThatThrownBy(() -> obj.program("on_add").attach())
                    .hasMessageContaining("call attachUprobe(binary, function, pid)");
            assertThatThrownBy(() -> obj.program("on_add").attachUprobe(NativeTarget.path(), "no_such_fn", -1))
                    .hasMessageContaining("has no function 'no_such_fn' in .symtab or .dynsym");
            assertThat(obj.attachAll()).extracting(Link::target).singleElement().asString()
                    .contains("libc.so.6:getpid");
        }
    }
}
