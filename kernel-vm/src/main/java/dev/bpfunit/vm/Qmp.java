package dev.bpfunit.vm;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of one QEMU's machine protocol (QMP) over its Unix socket ({@code -qmp unix:PATH,server=on,wait=off}):
 * just what saving and restoring a guest needs (stop, continue, migrate to a file, query the run and migration
 * states). Each message is one line of JSON; asynchronous events between a command and its answer are skipped.
 */
final class Qmp implements Closeable {
    /** The longest path of a Unix socket (108 bytes with its NUL, Linux's {@code sun_path}). */
    static final int MAX_SOCKET_PATH = 107;
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z-]+)\"");
    private static final Pattern ERROR_DESC = Pattern.compile("\"(?:error-)?desc\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final SocketChannel channel;
    private final Path socket;
    private final ByteBuffer in = ByteBuffer.allocate(65536).flip();

    private Qmp(SocketChannel channel, Path socket) {
        this.channel = channel;
        this.socket = socket;
    }

    /**
     * The QEMU command-line arguments that make it serve QMP on {@code socket}.
     */
    static String[] arguments(Path socket) {
        return new String[] {"-qmp", "unix:" + socket + ",server=on,wait=off"};
    }

    /**
     * Connects to the QEMU serving {@code socket}, waiting up to {@code timeout} for it to create the socket while
     * {@code alive} holds, and negotiates the protocol.
     *
     * @throws IOException if QEMU ended or did not answer in time
     */
    static Qmp connect(Path socket, Duration timeout, BooleanSupplier alive) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    Qmp qmp = new Qmp(channel, socket);
                    qmp.readLine(); // the greeting
                    qmp.execute("{\"execute\":\"qmp_capabilities\"}");
                    return qmp;
                } catch (IOException e) {
                    channel.close();
                    if (!alive.getAsBoolean() || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
            if (!alive.getAsBoolean()) {
                throw new IOException("QEMU ended before serving QMP on " + socket);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU did not serve QMP on " + socket + " within " + timeout.toMillis() + " ms");
            }
            sleep(10);
        }
    }

    /**
     * Sends one command (a JSON object) and returns QEMU's answer line.
     *
     * @throws IOException if the connection fails or QEMU answers with an error (its description in the message)
     */
    String execute(String json) throws IOException {
        channel.write(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        while (true) {
            String line = readLine();
            if (line.startsWith("{\"return\"")) {
                return line;
            }
            if (line.startsWith("{\"error\"")) {
                throw new IOException("QEMU refused " + json + ": " + errorDescription(line));
            }
            // an event ({"event": ...}); the answer follows
        }
    }

    /** The guest's run state ({@code running}, {@code paused}, {@code inmigrate}, {@code postmigrate}, ...). */
    String runState() throws IOException {
        return field(STATUS, execute("{\"execute\":\"query-status\"}"), "status");
    }

    /**
     * Saves the stopped guest's whole state (devices and memory) with {@code command} receiving the migration
     * stream on its standard input ({@code cat > FILE}), and waits for it to complete.
     *
     * @throws IOException if the migration failed (QEMU's reason in the message) or did not end in {@code timeout}
     */
    void migrateTo(String command, Duration timeout) throws IOException {
        // the default bandwidth cap (128 MiB/s) is for live migration over a network; here it only slows the save
        execute("{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"max-bandwidth\":" + (1L << 40) + "}}");
        execute("{\"execute\":\"migrate\",\"arguments\":{\"uri\":" + jsonString("exec:" + command) + "}}");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String answer = execute("{\"execute\":\"query-migrate\"}");
            String status = field(STATUS, answer, "status");
            switch (status) {
                case "completed":
                    return;
                case "failed":
                case "cancelled":
                    Matcher why = ERROR_DESC.matcher(answer);
                    throw new IOException("QEMU's migration to '" + command + "' " + status
                            + (why.find() ? ": " + unescape(why.group(1)) : ""));
                default:
                    if (System.nanoTime() > deadline) {
                        throw new IOException("QEMU's migration to '" + command + "' did not complete within "
                                + timeout.toSeconds() + " s (status " + status + ")");
                    }
                    sleep(10);
            }
        }
    }

    /** A JSON string literal of {@code text}. */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String field(Pattern pattern, String line, String name) throws IOException {
        Matcher m = pattern.matcher(line);
        if (!m.find()) {
            throw new IOException("QEMU's answer has no " + name + ": " + line);
        }
        return m.group(1);
    }

    private static String errorDescription(String line) {
        Matcher m = ERROR_DESC.matcher(line);
        return m.find() ? unescape(m.group(1)) : line;
    }

    private static String unescape(String json) {
        return json.replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8).strip();
                }
                line.write(b);
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("QEMU closed its QMP socket " + socket);
            }
        }
    }

    /** Sleeps between two questions to QEMU; an interrupt ends the wait as an {@link IOException}. */
    static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for QEMU", e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
