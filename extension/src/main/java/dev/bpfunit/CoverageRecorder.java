package dev.bpfunit;

import dev.bpfunit.instrument.CoverageData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Gathers the coverage of every object loaded with coverage in this JVM (see {@link BpfObjectLoader#coverage}),
 * merged over all of them, and per test: {@link #attribute(String)} charges what ran since the last call to a test.
 * The JUnit extension calls it after each test and writes the reports when the run ends.
 */
public final class CoverageRecorder {

    /** System property (and JUnit configuration parameter) turning coverage on for every load: {@code true}. */
    public static final String COVERAGE = "bpfunit.coverage";

    private static final CoverageRecorder GLOBAL = new CoverageRecorder();

    private final CoverageData data = new CoverageData();
    private final Map<BpfObject, long[]> live = new IdentityHashMap<>();
    private volatile boolean enabled = Boolean.getBoolean(COVERAGE);

    private CoverageRecorder() {
    }

    /** The recorder of this JVM. */
    public static CoverageRecorder global() {
        return GLOBAL;
    }

    /** Whether loaders instrument for coverage unless told otherwise ({@value #COVERAGE} or {@link #enable()}). */
    public boolean enabled() {
        return enabled;
    }

    /** Makes every loader created from now on instrument for coverage. */
    public void enable() {
        enabled = true;
    }

    /** Everything recorded so far, merged (objects still open included up to their last read). */
    public CoverageData data() {
        return data;
    }

    synchronized void register(BpfObject object) {
        live.put(object, null);
    }

    /** Reads (and resets) every open object's counters and charges what ran since the last read to {@code test}. */
    public synchronized void attribute(String test) {
        for (BpfObject o : live.keySet()) {
            data.addAll(o.drainCoverage(test));
        }
    }

    /** Called as an object closes, before its maps go: charges its last counts to no test in particular. */
    synchronized void closing(BpfObject object) {
        if (live.containsKey(object)) {
            live.remove(object);
            data.addAll(object.drainCoverage(null));
        }
    }

    static long[] counters(BpfMap map, int n) {
        byte[] value = map.lookup(new byte[4]).orElse(new byte[8 * Math.max(1, n)]);
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = b.getLong(8 * i);
        }
        return out;
    }
}
