package dev.bpfunit.junit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Link;
import dev.bpfunit.TraceLog;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@link Attach} on injected programs, and {@link TraceLog} injection: a test's {@code bpf_printk} lines are
 * published as its {@code bpf_printk} report entry when the test ends.
 */
final class LiveAttach {

    private static final String TRACE_LOG = "traceLog";

    private LiveAttach() {
    }

    static void attach(BpfProgram program, Attach a, String where) {
        for (Link l : program.owner().links()) {
            if (l.program() == program) {
                return;    // already attached in this scope (a field and a parameter naming the same program)
            }
        }
        try {
            if (a.value().isBlank()) {
                program.attach();
            } else {
                program.attach(a.value());
            }
        } catch (BpfException e) {
            throw new ExtensionConfigurationException("@Attach" + (a.value().isBlank() ? "" : "(\"" + a.value()
                    + "\")") + " on " + where + ": " + e.getMessage(), e);
        }
    }

    /** The test's trace log, captured from its first injection on and published when the test's scope closes. */
    static TraceLog traceLog(ExtensionContext context) {
        return JupiterCompat.computeIfAbsent(context.getStore(BpfExtension.NAMESPACE), TRACE_LOG + ":"
                + context.getUniqueId(), k -> new Published(context, TraceLog.capture()), Published.class).log;
    }

    /** After each test: its {@code bpf_printk} lines as the report entry {@code bpf_printk}, if it took a trace log. */
    static void publish(ExtensionContext context) {
        Published p = context.getStore(BpfExtension.NAMESPACE).get(TRACE_LOG + ":" + context.getUniqueId(),
                Published.class);
        if (p != null) {
            var messages = p.log.messages();
            context.publishReportEntry("bpf_printk", messages.isEmpty() ? "(no bpf_printk lines from this test)"
                    : String.join("\n", messages));
        }
    }

    private record Published(ExtensionContext context, TraceLog log) implements AutoCloseable {
        @Override
        public void close() {
            log.close();
        }
    }
}
