package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The QMP client against a scripted server on a Unix socket (the real QEMU is in {@link VmRunnerTest}). */
class QmpTest {
    @TempDir
    Path temp;

    /** A server that greets, then answers each command line with the next scripted lines. */
    private List<String> serve(Path socket, Deque<List<String>> answers) throws IOException {
        List<String> received = new CopyOnWriteArrayList<>();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread thread = new Thread(() -> {
            try (server; SocketChannel client = server.accept()) {
                OutputStream out = Channels.newOutputStream(client);
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                        StandardCharsets.UTF_8));
                out.write("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n".getBytes(StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null && !answers.isEmpty(); ) {
                    received.add(line);
                    for (String answer : answers.removeFirst()) {
                        out.write((answer + "\r\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException ignored) {
                // the client closed
            }
        });
        thread.setDaemon(true);
        thread.start();
        return received;
    }

    private static Deque<List<String>> answers(List<List<String>> lines) {
        return new ArrayDeque<>(lines);
    }

    @Test
    void negotiatesSkipsEventsAndReadsTheRunState() throws IOException {
        Path socket = temp.resolve("qmp.sock");
        List<String> received = serve(socket, answers(List.of(
                List.of("{\"return\": {}}"),
                List.of("{\"timestamp\": {\"seconds\": 1}, \"event\": \"RESUME\"}",
                        "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}"))));

        try (Qmp qmp = Qmp.connect(socket, Duration.ofSeconds(5), () -> true)) {
            assertThat(qmp.runState()).isEqualTo("running");
        }
        assertThat(received).containsExactly("{\"execute\":\"qmp_capabilities\"}", "{\"execute\":\"query-status\"}");
    }

    @Test
    void migratesUncappedAndWaitsForCompletion() throws IOException {
        Path socket = temp.resolve("qmp.sock");
        List<String> received = serve(socket, answers(List.of(
                List.of("{\"return\": {}}"), List.of("{\"return\": {}}"), List.of("{\"return\": {}}"),
                List.of("{\"return\": {\"status\": \"active\", \"total-time\": 3}}"),
                List.of("{\"return\": {\"status\": \"completed\", \"total-time\": 9}}"))));

        try (Qmp qmp = Qmp.connect(socket, Duration.ofSeconds(5), () -> true)) {
            qmp.migrateTo("cat > '/c/a \"b\".vmstate'", Duration.ofSeconds(5));
        }
        assertThat(received).containsSubsequence(
                "{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"max-bandwidth\":1099511627776}}",
                "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > '/c/a \\\"b\\\".vmstate'\"}}",
                "{\"execute\":\"query-migrate\"}", "{\"execute\":\"query-migrate\"}");
    }

    @Test
    void aFailedMigrationOrARefusedCommandSaysWhy() throws IOException {
        Path socket = temp.resolve("qmp.sock");
        serve(socket, answers(List.of(
                List.of("{\"return\": {}}"), List.of("{\"return\": {}}"), List.of("{\"return\": {}}"),
                List.of("{\"return\": {\"status\": \"failed\", \"error-desc\": \"Unable to write to \\\"exec\\\"\"}}"),
                List.of("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Cannot continue\"}}"))));

        try (Qmp qmp = Qmp.connect(socket, Duration.ofSeconds(5), () -> true)) {
            assertThatThrownBy(() -> qmp.migrateTo("cat > /x", Duration.ofSeconds(5)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("QEMU's migration to 'cat > /x' failed: Unable to write to \"exec\"");
            assertThatThrownBy(() -> qmp.execute("{\"execute\":\"cont\"}")).isInstanceOf(IOException.class)
                    .hasMessage("QEMU refused {\"execute\":\"cont\"}: Cannot continue");
        }
    }

    @Test
    void givesUpWhenQemuEndsBeforeServing() {
        Path socket = temp.resolve("never.sock");

        assertThatThrownBy(() -> Qmp.connect(socket, Duration.ofSeconds(5), () -> false))
                .isInstanceOf(IOException.class).hasMessageContaining("QEMU ended before serving QMP on " + socket);
        assertThatThrownBy(() -> Qmp.connect(socket, Duration.ofMillis(50), () -> true))
                .isInstanceOf(IOException.class).hasMessageContaining("did not serve QMP");
    }
}
