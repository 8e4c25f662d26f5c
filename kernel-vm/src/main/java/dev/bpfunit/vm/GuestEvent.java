package dev.bpfunit.vm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One line of the event stream a guest test run writes for the host to replay: a test registered, started,
 * skipped, finished or publishing a report entry, or the run's end.
 *
 * <p>A line is the event's kind and its fields separated by tabs, each field escaped ({@code \\}, {@code \t},
 * {@code \n}, {@code \r}), so a line never contains a raw tab or line break.
 *
 * @param kind   what happened
 * @param fields the event's fields; their meaning depends on {@code kind} (see the factory methods)
 */
record GuestEvent(Kind kind, List<String> fields) {

    /** What a line reports. */
    enum Kind {
        /** A dynamic test or container: unique id, parent's unique id, TEST or CONTAINER, display name. */
        REGISTERED,
        /** Unique id. */
        STARTED,
        /** Unique id, reason. */
        SKIPPED,
        /** Unique id, status (SUCCESSFUL, FAILED, ABORTED), the throwable serialized (base64), its text. */
        FINISHED,
        /** Unique id, then keys and values alternating. */
        REPORTED,
        /** The launcher completed: the test plan's size. */
        DONE
    }

    GuestEvent {
        fields = List.copyOf(fields);
    }

    static GuestEvent registered(String id, String parentId, boolean test, String displayName) {
        return new GuestEvent(Kind.REGISTERED, List.of(id, parentId, test ? "TEST" : "CONTAINER", displayName));
    }

    static GuestEvent started(String id) {
        return new GuestEvent(Kind.STARTED, List.of(id));
    }

    static GuestEvent skipped(String id, String reason) {
        return new GuestEvent(Kind.SKIPPED, List.of(id, reason == null ? "" : reason));
    }

    static GuestEvent finished(String id, String status, Optional<Throwable> throwable) {
        return new GuestEvent(Kind.FINISHED, List.of(id, status,
                throwable.map(GuestEvent::serialize).orElse(""), throwable.map(GuestEvent::stackText).orElse("")));
    }

    static GuestEvent reported(String id, java.util.Map<String, String> entries) {
        List<String> f = new ArrayList<>();
        f.add(id);
        entries.forEach((k, v) -> {
            f.add(k);
            f.add(v);
        });
        return new GuestEvent(Kind.REPORTED, f);
    }

    static GuestEvent done(long tests) {
        return new GuestEvent(Kind.DONE, List.of(Long.toString(tests)));
    }

    /** The field at {@code index}, or a clear error naming the event when the line is short. */
    String field(int index) {
        if (index >= fields.size()) {
            throw new VmException("guest event " + kind + " has " + fields.size() + " fields, field " + index
                    + " is missing: " + encode());
        }
        return fields.get(index);
    }

    /** This event as one line without its line break. */
    String encode() {
        StringBuilder line = new StringBuilder(kind.name());
        for (String f : fields) {
            line.append('\t');
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                switch (c) {
                    case '\\' -> line.append("\\\\");
                    case '\t' -> line.append("\\t");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    default -> line.append(c);
                }
            }
        }
        return line.toString();
    }

    /** Parses a line written by {@link #encode()}. */
    static GuestEvent decode(String line) {
        String[] parts = line.split("\t", -1);
        Kind kind;
        try {
            kind = Kind.valueOf(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new VmException("guest event line does not start with an event kind "
                    + java.util.Arrays.toString(Kind.values()) + ": " + line);
        }
        List<String> fields = new ArrayList<>();
        for (int p = 1; p < parts.length; p++) {
            String f = parts[p];
            StringBuilder out = new StringBuilder(f.length());
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                if (c == '\\' && i + 1 < f.length()) {
                    char n = f.charAt(++i);
                    out.append(switch (n) {
                        case 't' -> '\t';
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        default -> n;
                    });
                } else {
                    out.append(c);
                }
            }
            fields.add(out.toString());
        }
        return new GuestEvent(kind, fields);
    }

    /** The throwable as Java serialization in base64, or empty when it (or something it holds) is not serializable. */
    static String serialize(Throwable t) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(t);
        } catch (IOException e) {
            return "";
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** The throwable read back, if the host can (same classpath as the guest, so normally yes). */
    static Optional<Throwable> deserialize(String base64) {
        if (base64.isEmpty()) {
            return Optional.empty();
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return Optional.of((Throwable) in.readObject());
        } catch (IOException | ClassNotFoundException | ClassCastException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static String stackText(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
