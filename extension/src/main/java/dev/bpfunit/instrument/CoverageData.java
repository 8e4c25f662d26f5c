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

    // ---- storage: one kernel's data in a file, for the kernel matrix to carry guests' coverage to the host ----

    /** The first line of a stored coverage file, with the format's version. */
    static final String MAGIC = "bpfunit-coverage 1";

    /**
     * Coverage data read back from a file, with the kernel it was recorded on.
     *
     * @param kernel  the label of the run ({@code host}, or the kernel matrix's target: {@code 6.1}, {@code 6.12},
     *                {@code container})
     * @param release the kernel's release ({@code uname -r}) where the data was recorded
     * @param data    the counts
     */
    public record Stored(String kernel, String release, CoverageData data) {
    }

    /**
     * Writes everything this data holds (blocks with their source lines, counts and tests, branches, notes) as text
     * that {@link #read} reads back, a record per line, fields separated by tabs.
     */
    public void write(java.nio.file.Path file, String kernel, String release) {
        StringBuilder b = new StringBuilder(MAGIC).append('\n');
        fields(b, "kernel", kernel, release);
        synchronized (this) {
            for (String n : notes) {
                fields(b, "note", n);
            }
            for (Map.Entry<Key, BlockCount> e : blocks.entrySet()) {
                Key k = e.getKey();
                BlockCount c = e.getValue();
                List<String> f = new ArrayList<>(List.of("block", k.object(), k.program(), Integer.toString(k.slot()),
                        Boolean.toString(c.block.exact()), Long.toString(c.count)));
                f.addAll(c.tests);
                fields(b, f.toArray(String[]::new));
                Set<CoverageLayout.Line> lines = new java.util.LinkedHashSet<>(c.block.instructions().keySet());
                lines.addAll(c.block.entries().keySet());
                for (CoverageLayout.Line l : lines) {
                    fields(b, "line", l.file(), Integer.toString(l.line()),
                            Integer.toString(c.block.instructions().getOrDefault(l, 0)),
                            Integer.toString(c.block.entries().getOrDefault(l, 0)), l.text());
                }
            }
            for (Map.Entry<Key, BranchCount> e : branches.entrySet()) {
                Key k = e.getKey();
                BranchCount c = e.getValue();
                CoverageLayout.Line l = c.branch.line();
                fields(b, "branch", k.object(), k.program(), Integer.toString(k.slot()), Boolean.toString(c.exact),
                        Long.toString(c.taken), Long.toString(c.notTaken), l.file(), Integer.toString(l.line()),
                        l.text());
            }
        }
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            java.nio.file.Files.writeString(tmp, b, java.nio.charset.StandardCharsets.UTF_8);
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the coverage data " + file.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Reads a file {@link #write} wrote; a file of another kind or version fails naming the file and the line. */
    public static Stored read(java.nio.file.Path file) {
        List<String> text;
        try {
            text = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the coverage data " + file.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
        if (text.isEmpty() || !text.get(0).equals(MAGIC)) {
            throw new dev.bpfunit.error.BpfException("coverage data " + file + " does not start with '" + MAGIC
                    + "': not a file bpfunit wrote, or from another version; delete it and run the tests again");
        }
        CoverageData d = new CoverageData();
        String kernel = "";
        String release = "";
        Key block = null;
        Map<CoverageLayout.Line, Integer> insns = null;
        Map<CoverageLayout.Line, Integer> entries = null;
        String[] blockFields = null;
        for (int i = 1; i < text.size(); i++) {
            if (text.get(i).isEmpty()) {
                continue;
            }
            String[] f = split(text.get(i));
            try {
                if (!f[0].equals("line") && block != null) {
                    d.putBlock(block, blockFields, insns, entries);
                    block = null;
                }
                switch (f[0]) {
                    case "kernel" -> {
                        kernel = f[1];
                        release = f[2];
                    }
                    case "note" -> d.notes.add(f[1]);
                    case "block" -> {
                        block = new Key(f[1], f[2], Integer.parseInt(f[3]));
                        blockFields = f;
                        insns = new LinkedHashMap<>();
                        entries = new LinkedHashMap<>();
                    }
                    case "line" -> {
                        if (block == null) {
                            throw new IllegalArgumentException("a line record before any block");
                        }
                        CoverageLayout.Line l = new CoverageLayout.Line(f[1], Integer.parseInt(f[2]), f[5]);
                        int n = Integer.parseInt(f[3]);
                        int en = Integer.parseInt(f[4]);
                        if (n > 0) {
                            insns.put(l, n);
                        }
                        if (en > 0) {
                            entries.put(l, en);
                        }
                    }
                    case "branch" -> {
                        CoverageLayout.Line l = new CoverageLayout.Line(f[7], Integer.parseInt(f[8]), f[9]);
                        boolean exact = Boolean.parseBoolean(f[4]);
                        BranchCount c = new BranchCount(new CoverageLayout.Branch(l, f[2], Integer.parseInt(f[3]), 0,
                                0, exact));
                        c.exact = exact;
                        c.taken = Long.parseLong(f[5]);
                        c.notTaken = Long.parseLong(f[6]);
                        d.branches.put(new Key(f[1], f[2], Integer.parseInt(f[3])), c);
                    }
                    default -> throw new IllegalArgumentException("unknown record '" + f[0] + "'");
                }
            } catch (RuntimeException e) {
                throw new dev.bpfunit.error.BpfException("coverage data " + file + ", line " + (i + 1) + ": "
                        + (e instanceof ArrayIndexOutOfBoundsException ? "too few fields" : e.getMessage())
                        + "; delete the file and run the tests again", e);
            }
        }
        if (block != null) {
            d.putBlock(block, blockFields, insns, entries);
        }
        return new Stored(kernel, release, d);
    }

    private void putBlock(Key k, String[] f, Map<CoverageLayout.Line, Integer> insns,
                          Map<CoverageLayout.Line, Integer> entries) {
        BlockCount c = new BlockCount(new CoverageLayout.Block(k.program(), k.slot(), 0, Boolean.parseBoolean(f[4]),
                insns, entries));
        c.count = Long.parseLong(f[5]);
        c.tests.addAll(java.util.Arrays.asList(f).subList(6, f.length));
        blocks.put(k, c);
    }

    private static void fields(StringBuilder b, String... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                b.append('\t');
            }
            String v = fields[i];
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                switch (c) {
                    case '\\' -> b.append("\\\\");
                    case '\t' -> b.append("\\t");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    default -> b.append(c);
                }
            }
        }
        b.append('\n');
    }

    private static String[] split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\t') {
                out.add(cur.toString());
                cur.setLength(0);
            } else if (c == '\\' && i + 1 < line.length()) {
                char e = line.charAt(++i);
                cur.append(switch (e) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> e;
                });
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out.toArray(String[]::new);
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
