package dev.bpfunit.junit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * The one place that knows how the JUnit Jupiter versions bpfunit supports differ: 5.10 up to 6.x.
 *
 * <p>bpfunit is compiled against the newest Jupiter but calls only API that 5.10 has, except here, where newer API
 * is looked up at run time: {@code publishFile} (5.12; its {@code MediaType} moved package in 5.14) and the store's
 * closing of {@link AutoCloseable} values (5.13; older versions close only {@code CloseableResource}, which the
 * stored values therefore also implement). Jupiter older than 5.10 is refused at start-up with the versions found.
 */
final class JupiterCompat {
    /** The oldest Jupiter bpfunit is built and tested for (the compat consumer project runs on it in CI). */
    static final int[] MINIMUM = {5, 10};

    private static final Optional<Publisher> PUBLISHER = publisher();
    private static volatile boolean versionChecked;

    private JupiterCompat() {
    }

    /**
     * Fails with the versions found and the fix when the Jupiter API on the class path is older than
     * {@link #MINIMUM}; checked once per JVM. A version that cannot be read (a repackaged jar) is let through.
     */
    static void requireSupportedVersion() {
        if (versionChecked) {
            return;
        }
        String found = ExtensionContext.class.getPackage().getImplementationVersion();
        if (found != null && !atLeast(found, MINIMUM)) {
            throw new ExtensionConfigurationException("bpfunit needs JUnit Jupiter " + MINIMUM[0] + "." + MINIMUM[1]
                    + " or later (5.x or 6.x); the class path has junit-jupiter-api " + found + ": upgrade JUnit,"
                    + " for example by importing org.junit:junit-bom 5.10.3 or later in dependencyManagement");
        }
        versionChecked = true;
    }

    static boolean atLeast(String version, int[] minimum) {
        String[] parts = version.split("[.\\-]");
        for (int i = 0; i < minimum.length; i++) {
            int v;
            try {
                v = i < parts.length ? Integer.parseInt(parts[i]) : 0;
            } catch (NumberFormatException e) {
                return true;            // not a plain version: do not guess
            }
            if (v != minimum[i]) {
                return v > minimum[i];
            }
        }
        return true;
    }

    /**
     * Keeps {@code compute}'s value in {@code store} under {@code key}, computed once. {@code getOrComputeIfAbsent}
     * is the name every supported version has (6.x deprecates it for {@code computeIfAbsent}, added in 5.13).
     */
    @SuppressWarnings("deprecation")
    static <V> V computeIfAbsent(ExtensionContext.Store store, String key, Function<String, V> compute, Class<V> type) {
        return store.getOrComputeIfAbsent(key, compute, type);
    }

    /**
     * Publishes a UTF-8 text file with the test's report (Jupiter 5.12+); returns false where this Jupiter has no
     * file publishing, so the caller can say where the file is instead.
     */
    static boolean publishTextFile(ExtensionContext context, String name, ThrowingConsumer<Path> writer) {
        if (PUBLISHER.isEmpty()) {
            return false;
        }
        PUBLISHER.get().publish(context, name, writer);
        return true;
    }

    /** {@code publishFile(String, MediaType, ThrowingConsumer)} and the {@code TEXT_PLAIN_UTF_8} of its MediaType. */
    private record Publisher(Method method, Object textPlain) {
        void publish(ExtensionContext context, String name, ThrowingConsumer<Path> writer) {
            try {
                method.invoke(context, name, textPlain, writer);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("publishFile(" + name + ") failed: " + cause, cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("publishFile is not accessible: " + e, e);
            }
        }
    }

    private static Optional<Publisher> publisher() {
        // 5.14+ has org.junit.jupiter.api.MediaType; 5.12 and 5.13 have it in ...api.extension (deprecated later).
        for (String mediaType : new String[] {"org.junit.jupiter.api.MediaType",
                "org.junit.jupiter.api.extension.MediaType"}) {
            try {
                Class<?> type = Class.forName(mediaType, false, ExtensionContext.class.getClassLoader());
                Method publish = ExtensionContext.class.getMethod("publishFile", String.class, type,
                        ThrowingConsumer.class);
                return Optional.of(new Publisher(publish, type.getField("TEXT_PLAIN_UTF_8").get(null)));
            } catch (ReflectiveOperationException | LinkageError absent) {
                // try the next one; none: this Jupiter predates publishFile
            }
        }
        return Optional.empty();
    }
}
