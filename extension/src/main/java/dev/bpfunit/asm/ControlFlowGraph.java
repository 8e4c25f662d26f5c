package dev.bpfunit.asm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * The control-flow graph of a BPF program: its basic blocks, the jumps and fall-throughs between them, the
 * bpf-to-bpf calls and the callbacks a program hands to helpers such as {@code bpf_loop()}, written as Graphviz
 * DOT with each block's instructions (and their source lines) and a block marked, e.g. where the verifier failed.
 */
public final class ControlFlowGraph {

    /** A basic block: instructions {@code first} to {@code last} (slots, inclusive). */
    public record Block(int first, int last) {
        /** Whether {@code slot} lies in this block. */
        public boolean contains(int slot) {
            return slot >= first && slot <= last;
        }
    }

    /** An edge: {@code kind} is {@code "fallthrough"}, {@code "jump"}, {@code "call"} or {@code "callback"}. */
    public record Edge(int fromSlot, int toSlot, String kind) {
    }

    private final byte[] insns;
    private final List<Block> blocks;
    private final List<Edge> edges;
    private final Set<Integer> functions;

    private ControlFlowGraph(byte[] insns, List<Block> blocks, List<Edge> edges, Set<Integer> functions) {
        this.insns = insns;
        this.blocks = blocks;
        this.edges = edges;
        this.functions = functions;
    }

    /**
     * Builds the graph of a program's instructions (8 bytes a slot).
     *
     * @throws InvalidInstructionException if the bytes are not whole instructions or a jump leaves the program
     */
    public static ControlFlowGraph of(byte[] insns) {
        if (insns == null || insns.length % 8 != 0 || insns.length == 0) {
            throw new InvalidInstructionException("instructions must be a non-empty multiple of 8 bytes");
        }
        int slots = insns.length / 8;
        TreeSet<Integer> leaders = new TreeSet<>();
        TreeSet<Integer> functions = new TreeSet<>();
        leaders.add(0);
        functions.add(0);
        List<Edge> edges = new ArrayList<>();
        for (int slot = 0; slot < slots; slot++) {
            Instruction insn = Instruction.decode(insns, slot);
            int width = insn.isLdImm64() ? 2 : 1;
            int next = slot + width;
            if (insn.isJump()) {
                boolean wide = Opcodes.bpfClass(insn.opcode()) == Opcodes.BPF_JMP32
                        && Opcodes.op(insn.opcode()) == Opcodes.BPF_JA;
                int target = next + (wide ? insn.imm() : insn.offset());
                check(target, slots, slot);
                leaders.add(target);
                edges.add(new Edge(slot, target, "jump"));
                boolean unconditional = Opcodes.op(insn.opcode()) == Opcodes.BPF_JA;
                if (!unconditional && next < slots) {
                    edges.add(new Edge(slot, next, "fallthrough"));
                }
                if (next < slots) {
                    leaders.add(next);
                }
            } else if (insn.isExit()) {
                if (next < slots) {
                    leaders.add(next);
                }
            } else {
                if (insn.isPseudoCall()) {
                    int target = next + insn.imm();
                    check(target, slots, slot);
                    leaders.add(target);
                    functions.add(target);
                    edges.add(new Edge(slot, target, "call"));
                    if (next < slots) {
                        leaders.add(next);
                    }
                } else if (insn.isLdImm64() && insn.src() == Opcodes.BPF_PSEUDO_FUNC) {
                    int target = next + insn.imm();
                    check(target, slots, slot);
                    leaders.add(target);
                    functions.add(target);
                    edges.add(new Edge(slot, target, "callback"));
                }
                if (next < slots) {
                    edges.add(new Edge(slot, next, "fallthrough"));
                }
            }
            slot += width - 1;
        }
        List<Block> blocks = new ArrayList<>();
        Integer[] starts = leaders.toArray(new Integer[0]);
        for (int i = 0; i < starts.length; i++) {
            int end = i + 1 < starts.length ? starts[i + 1] - 1 : slots - 1;
            blocks.add(new Block(starts[i], end));
        }
        // keep only the edges that leave a block (fall-throughs inside a block are not edges)
        List<Edge> between = new ArrayList<>();
        for (Edge e : edges) {
            boolean leavesBlock = !e.kind().equals("fallthrough") || leaders.contains(e.toSlot());
            if (leavesBlock && !(e.kind().equals("fallthrough") && functions.contains(e.toSlot()))) {
                between.add(e);
            }
        }
        return new ControlFlowGraph(insns.clone(), List.copyOf(blocks), List.copyOf(between), Set.copyOf(functions));
    }

    private static void check(int target, int slots, int from) {
        if (target < 0 || target >= slots) {
            throw new InvalidInstructionException("instruction " + from + " jumps to " + target + ", outside the "
                    + "program's " + slots + " instructions");
        }
    }

    /** The basic blocks, in instruction order. */
    public List<Block> blocks() {
        return blocks;
    }

    /** The edges between blocks: jumps, fall-throughs, calls and callback references. */
    public List<Edge> edges() {
        return edges;
    }

    /** The first slots of the program's functions: 0, each bpf-to-bpf call's target and each callback. */
    public Set<Integer> functions() {
        return functions;
    }

    /** The block that holds {@code slot}. */
    public Block blockOf(int slot) {
        for (Block b : blocks) {
            if (b.contains(slot)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no instruction " + slot + " in a program of " + insns.length / 8);
    }

    /**
     * The graph in Graphviz DOT.
     *
     * @param name     the graph's name (the program's)
     * @param sourceOf the source line of a slot ({@code file:line: text}), or null when unknown
     * @param marked   a slot whose block is drawn in red (the verifier's failing instruction), or -1
     */
    public String toDot(String name, IntFunction<String> sourceOf, int marked) {
        StringBuilder b = new StringBuilder();
        b.append("digraph \"").append(escape(name)).append("\" {\n");
        b.append("  node [shape=box fontname=\"monospace\" fontsize=10];\n");
        for (Block block : blocks) {
            boolean red = marked >= 0 && block.contains(marked);
            b.append("  b").append(block.first()).append(" [label=\"");
            if (functions.contains(block.first())) {
                b.append(block.first() == 0 ? "entry" : "function at " + block.first()).append("\\l");
            }
            String lastSource = null;
            for (int slot = block.first(); slot <= block.last(); slot++) {
                String src = sourceOf == null ? null : sourceOf.apply(slot);
                if (src != null && !src.equals(lastSource)) {
                    b.append("; ").append(escape(src)).append("\\l");
                    lastSource = src;
                }
                Instruction insn = Instruction.decode(insns, slot);
                b.append(slot).append(": ").append(escape(Disassembler.format(insns, slot)))
                        .append(slot == marked ? "   <-- here" : "").append("\\l");
                if (insn.isLdImm64()) {
                    slot++;
                }
            }
            b.append("\"");
            if (red) {
                b.append(" color=red penwidth=2 style=filled fillcolor=\"#ffe0e0\"");
            }
            b.append("];\n");
        }
        for (Edge e : edges) {
            b.append("  b").append(blockOf(e.fromSlot()).first()).append(" -> b").append(e.toSlot());
            switch (e.kind()) {
                case "jump" -> b.append(" [label=\"jump\"]");
                case "call" -> b.append(" [style=dashed label=\"call\"]");
                case "callback" -> b.append(" [style=dotted label=\"callback\"]");
                default -> {
                }
            }
            b.append(";\n");
        }
        b.append("}\n");
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
