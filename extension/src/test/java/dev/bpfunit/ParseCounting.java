package dev.bpfunit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** For tests in other packages: counts the objects {@link BpfObjectLoader}s parse while an action runs. */
public final class ParseCounting {

    private ParseCounting() {
    }

    /** What the action returned, and how many times each object (by file name) was parsed meanwhile. */
    public record Counted<T>(T result, Map<String, Integer> parses) {
    }

    /** Runs the action with the loader's parse hook set (not thread-safe across concurrent callers). */
    public static synchronized <T> Counted<T> count(Supplier<T> action) {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        BpfObjectLoader.parsedHook = name -> counts.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        try {
            T result = action.get();
            return new Counted<>(result, counts.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
        } finally {
            BpfObjectLoader.parsedHook = null;
        }
    }

    /** The names of the objects in a count, for messages. */
    public static List<String> names(Map<String, Integer> parses) {
        return List.copyOf(parses.keySet());
    }
}
