package dev.bpfunit.error;

import java.util.List;

/** Closes several resources in order, all of them even when one fails, keeping the first failure. */
public final class Closeables {
    private Closeables() {
    }

    /**
     * Closes each resource in list order. The first failure is thrown once all were tried, with the later ones
     * suppressed in it; a checked exception is wrapped in a {@link BpfException}. Null elements are skipped.
     */
    public static void closeAll(List<? extends AutoCloseable> resources) {
        RuntimeException first = null;
        for (AutoCloseable c : resources) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new BpfException("close failed: " + e, e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Closes the resources and adds any failure to {@code failure} as suppressed, for cleanup after an error. */
    public static void closeAllAfter(Throwable failure, List<? extends AutoCloseable> resources) {
        try {
            closeAll(resources);
        } catch (RuntimeException closing) {
            if (closing != failure) {
                failure.addSuppressed(closing);
            }
        }
    }
}
