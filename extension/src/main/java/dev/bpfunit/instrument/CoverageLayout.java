package dev.bpfunit.instrument;

import java.util.List;
import java.util.Map;

/**
 * What each counter of an instrumented object's coverage map counts, and which source lines and branches it
 * stands for; with the counters read back, {@link CoverageData#of} turns it into line and branch coverage.
 *
 * @param object    the object's file name
 * @param counters  the number of 8-byte counters in the map's single value
 * @param blocks    one entry per instrumented basic block
 * @param branches  one entry per conditional jump
 * @param notes     what could not be instrumented exactly, and why (a block counted as a flag, a program left
 *                  out), for the report and the test output
 */
public record CoverageLayout(String object, int counters, List<Block> blocks, List<Branch> branches,
                             List<String> notes) {

    public CoverageLayout {
        blocks = List.copyOf(blocks);
        branches = List.copyOf(branches);
        notes = List.copyOf(notes);
    }

    /** A source line: the file name as line info gives it, the line number and its text. */
    public record Line(String file, int line, String text) {
    }

    /**
     * A basic block of a program and its counter.
     *
     * @param program      the program whose linked code holds the block
     * @param startSlot    the block's first slot in the program as linked (before instrumentation)
     * @param counter      the index of its counter
     * @param exact        true when the counter counts executions; false when it only records that the block ran
     *                     (set to 1), where a single scratch register was free
     * @param instructions per source line, how many of the block's instructions come from it
     * @param entries      per source line, how many times one run of the block enters it: its instructions that
     *                     follow (in the program's order) an instruction of another line or none, so that a line
     *                     split over several blocks counts once and a line inlined several times counts each copy
     */
    public record Block(String program, int startSlot, int counter, boolean exact, Map<Line, Integer> instructions,
                        Map<Line, Integer> entries) {
        public Block {
            instructions = Map.copyOf(instructions);
            entries = Map.copyOf(entries);
        }
    }

    /**
     * A conditional jump: executed {@code count(blockCounter)} times, of which {@code count(fallThroughCounter)}
     * fell through; the rest jumped.
     *
     * @param line               the jump's source line
     * @param program            the program
     * @param slot               the jump's slot as linked
     * @param blockCounter       the counter of the block the jump ends
     * @param fallThroughCounter the counter of the fall-through edge (or of the next block, when only this jump
     *                           reaches it)
     * @param exact              false when either counter is only a flag
     */
    public record Branch(Line line, String program, int slot, int blockCounter, int fallThroughCounter,
                         boolean exact) {
    }
}
