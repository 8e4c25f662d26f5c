package dev.bpfunit.btf;

import java.util.List;
import java.util.Optional;

/**
 * A program's instructions after CO-RE relocation, with what each relocation came to.
 *
 * @param instructions the relocated instructions (a copy)
 * @param fixups       one per relocation, in the order of the relocation records
 */
public record CoreResult(byte[] instructions, List<CoreFixup> fixups) {

    public CoreResult {
        instructions = instructions.clone();
        fixups = List.copyOf(fixups);
    }

    @Override
    public byte[] instructions() {
        return instructions.clone();
    }

    /** The relocations that could not be satisfied, whose instructions were poisoned. */
    public List<CoreFixup> poisoned() {
        return fixups.stream().filter(CoreFixup::poisoned).toList();
    }

    /**
     * The poisoned relocation whose instruction is at {@code slot} (either slot of a poisoned 64-bit load), if
     * any: what the verifier's {@code invalid func unknown#195896080} at that instruction means.
     */
    public Optional<CoreFixup> poisonedAt(int slot) {
        return fixups.stream().filter(CoreFixup::poisoned)
                .filter(f -> f.relo().insnOffset() == slot || f.relo().insnOffset() + 1 == slot
                        && isLdImm64(f.relo().insnOffset()))
                .findFirst();
    }

    private boolean isLdImm64(int slot) {
        // A poisoned 64-bit load has both halves turned into calls; the second slot is poisoned too.
        int at = (slot + 1) * 8;
        return at + 8 <= instructions.length && (instructions[at] & 0xff) == 0x85
                && readInt(at + 4) == CoreRelocator.POISON_HELPER;
    }

    private int readInt(int at) {
        return (instructions[at] & 0xff) | (instructions[at + 1] & 0xff) << 8 | (instructions[at + 2] & 0xff) << 16
                | (instructions[at + 3] & 0xff) << 24;
    }
}
