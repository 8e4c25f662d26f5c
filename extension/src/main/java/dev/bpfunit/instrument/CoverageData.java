package dev.bpfunit.instrument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Coverage counts gathered from instrumented loads, merged: blocks and branches are keyed by object, program and
 * instruction, so loads of the same object add up, and each remembers which tests ran it. Thread-safe.
 *
 * <p>Per source line: the line's instructions and how many of them ran, and its hit count: how many times control
 * entered the line from another line, summed over blocks, programs and objects (a line in a loop counts its
 * iterations, a line split over several blocks counts once per pass, a line inlined in several places or linked
 * into two programs counts each copy).
 */
public final class CoverageData {

    private record Key(String object, String program, int slot) {
    }

    private static final class BlockCount {
        final CoverageLayout.Block block;
        long count;
        final Set<String> tests = new TreeSet<>();

        BlockCount(CoverageLayout.Block block) {
            this.block = block;
        }
    }

    private static final class BranchCount {
        final CoverageLayout.Branch branch;
        long taken;
        long notTaken;
        boolean exact = true;

        BranchCount(CoverageLayout.Branch branch) {
            this.branch = branch;
        }
    }

    private final Map<Key, BlockCount> blocks = new LinkedHashMap<>();
    private final Map<Key, BranchCount> branches = new LinkedHashMap<>();
    private final Set<String> notes = new java.util.LinkedHashSet<>();

    /** Data built from one read of a coverage map. */
    public static CoverageData of(CoverageLayout layout, long[] counters) {
        CoverageData d = new CoverageData();
        d.add(layout, counters, null);
        return d;
    }

    /**
     * Adds counts read from an object's coverage map (or the difference between two reads).
     *
     * @param test the test the counts belong to, or {@code null}
     */
    public synchronized void add(CoverageLayout layout, long[] counters, String test) {
        notes.addAll(layout.notes());
        for (CoverageLayout.Block b : layout.blocks()) {
            BlockCount c = blocks.computeIfAbsent(new Key(layout.object(), b.program(), b.startSlot()),
                    k -> new BlockCount(b));
            long v = at(counters, b.counter());
            c.count += b.exact() ? v : Math.min(v, 1);
            if (v != 0 && test != null) {
                c.tests.add(test);
            }
        }
        for (CoverageLayout.Branch br : layout.branches()) {
            BranchCount c = branches.computeIfAbsent(new Key(layout.object(), br.program(), br.slot()),
                    k -> new BranchCount(br));
            long all = at(counters, br.blockCounter());
            long fell = at(counters, br.fallThroughCounter());
            if (br.exact()) {
                c.notTaken += fell;
                c.taken += Math.max(0, all - fell);
            } else {
                c.exact = false;
                c.notTaken = Math.max(c.notTaken, Math.min(fell, 1));
                c.taken = Math.max(c.taken, all != 0 && fell == 0 ? 1 : c.taken);
            }
        }
    }

    /** Adds everything another data set holds. */
    public void addAll(CoverageData other) {
        Map<Key, BlockCount> bs;
        Map<Key, BranchCount> brs;
        Set<String> ns;
        synchronized (other) {
            bs = new LinkedHashMap<>(other.blocks);
            brs = new LinkedHashMap<>(other.branches);
            ns = new java.util.LinkedHashSet<>(other.notes);
        }
        synchronized (this) {
            notes.addAll(ns);
            for (Map.Entry<Key, BlockCount> e : bs.entrySet()) {
                BlockCount c = blocks.computeIfAbsent(e.getKey(), k -> new BlockCount(e.getValue().block));
                c.count += e.getValue().count;
                c.tests.addAll(e.getValue().tests);
            }
            for (Map.Entry<Key, BranchCount> e : brs.entrySet()) {
                BranchCount c = branches.computeIfAbsent(e.getKey(), k -> new BranchCount(e.getValue().branch));
                c.taken += e.getValue().taken;
                c.notTaken += e.getValue().notTaken;
                c.exact &= e.getValue().exact;
            }
        }
    }

    private static long at(long[] counters, int i) {
        return i < counters.length ? counters[i] : 0;
    }

    /** What could not be instrumented exactly, from every layout added. */
    public synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    /** Whether no block was added. */
    public synchronized boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Coverage of one source line. */
    public record LineCoverage(int line, String text, int instructions, int coveredInstructions, long hits,
                               List<BranchCoverage> branches, Set<String> tests) {

        /** Whether any of the line's instructions ran. */
        public boolean covered() {
            return coveredInstructions > 0;
        }

        /** Whether some but not all of its instructions or branch directions ran. */
        public boolean partial() {
            return covered() && (coveredInstructions < instructions
                    || branches.stream().anyMatch(b -> b.taken() == 0 || b.notTaken() == 0));
        }
    }

    /** The two directions of one conditional jump: how often it jumped and how often it fell through. */
    public record BranchCoverage(String program, int slot, long taken, long notTaken, boolean exact) {
    }

    /** Coverage of one source file, by line. */
    public record FileCoverage(String file, SortedMap<Integer, LineCoverage> lines) {

        public int linesFound() {
            return lines.size();
        }

        public int linesHit() {
            return (int) lines.values().stream().filter(LineCoverage::covered).count();
        }

        public int branchesFound() {
            return lines.values().stream().mapToInt(l -> 2 * l.branches().size()).sum();
        }

        public int branchesHit() {
            return lines.values().stream().flatMap(l -> l.branches().stream())
                    .mapToInt(b -> (b.taken() > 0 ? 1 : 0) + (b.notTaken() > 0 ? 1 : 0)).sum();
        }
    }

    /** Line and branch coverage per source file, files and lines in order. */
    public synchronized List<FileCoverage> files() {
        // per (file, line): instructions, covered, hits per program (max), tests
        record Acc(String text, int[] insns, int[] covered, long[] hits, Set<String> tests,
                   List<BranchCoverage> branches) {
        }
        Map<String, TreeMap<Integer, Acc>> byFile = new TreeMap<>();
        for (Map.Entry<Key, BlockCount> e : blocks.entrySet()) {
            BlockCount c = e.getValue();
            for (Map.Entry<CoverageLayout.Line, Integer> li : c.block.instructions().entrySet()) {
                CoverageLayout.Line l = li.getKey();
                Acc a = byFile.computeIfAbsent(l.file(), f -> new TreeMap<>()).computeIfAbsent(l.line(),
                        x -> new Acc(l.text(), new int[1], new int[1], new long[1], new TreeSet<>(),
                                new ArrayList<>()));
                a.insns[0] += li.getValue();
                if (c.count > 0) {
                    a.covered[0] += li.getValue();
                }
                a.hits[0] += c.count * c.block.entries().getOrDefault(l, 0);
                if (c.count > 0 && a.hits[0] == 0) {
                    a.hits[0] = c.count;        // a line entered only from itself (a one-line loop)
                }
                a.tests.addAll(c.tests);
            }
        }
        for (Map.Entry<Key, BranchCount> e : branches.entrySet()) {
            BranchCount b = e.getValue();
            CoverageLayout.Line l = b.branch.line();
            Acc a = byFile.computeIfAbsent(l.file(), f -> new TreeMap<>()).computeIfAbsent(l.line(),
                    x -> new Acc(l.text(), new int[1], new int[1], new long[1], new TreeSet<>(),
                            new ArrayList<>()));
            a.branches.add(new BranchCoverage(e.getKey().program(), b.branch.slot(), b.taken, b.notTaken, b.exact));
        }
        List<FileCoverage> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, Acc>> f : byFile.entrySet()) {
            SortedMap<Integer, LineCoverage> lines = new TreeMap<>();
            for (Map.Entry<Integer, Acc> l : f.getValue().entrySet()) {
                Acc a = l.getValue();
                long hits = a.hits[0];
                lines.put(l.getKey(), new LineCoverage(l.getKey(), a.text, a.insns[0], a.covered[0], hits,
                        List.copyOf(a.branches), Collections.unmodifiableSet(new TreeSet<>(a.tests))));
            }
            out.add(new FileCoverage(f.getKey(), Collections.unmodifiableSortedMap(lines)));
        }
        return out;
    }

    /** The coverage of one file, found by its name as line info gives it or by its last path element. */
    public java.util.Optional<FileCoverage> file(String name) {
        return files().stream().filter(f -> f.file().equals(name)
                || Instrumenter.shortName(f.file()).equals(name)).findFirst();
    }

    /** {@code bpfunit coverage: lines 12/14 (85.7%), branches 5/8 (62.5%) in 2 files}. */
    public String summary() {
        List<FileCoverage> fs = files();
        int lf = fs.stream().mapToInt(FileCoverage::linesFound).sum();
        int lh = fs.stream().mapToInt(FileCoverage::linesHit).sum();
        int bf = fs.stream().mapToInt(FileCoverage::branchesFound).sum();
        int bh = fs.stream().mapToInt(FileCoverage::branchesHit).sum();
        return String.format(java.util.Locale.ROOT, "bpfunit coverage: lines %d/%d (%s), branches %d/%d (%s) in %d "
                + "file%s", lh, lf, percent(lh, lf), bh, bf, percent(bh, bf), fs.size(), fs.size() == 1 ? "" : "s");
    }

    static String percent(int hit, int found) {
        return found == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * hit / found);
    }
}
