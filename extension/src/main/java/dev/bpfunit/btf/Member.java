package dev.bpfunit.btf;

/**
 * A member of a struct or union.
 *
 * <p>{@code bitfieldSize} is non-zero for a bitfield described the modern way (the struct's kind_flag set).
 * An old-style bitfield has {@code bitfieldSize} 0 and an INT type whose offset/bits say where the value is;
 * {@link Btf#layoutOf(Member)} folds both forms into one.
 *
 * @param bitOffset offset of the member from the start of the struct, in bits
 */
public record Member(String name, int type, int bitOffset, int bitfieldSize) {
    public Member {
        name = Names.check(name);
        if (bitOffset < 0 || bitOffset > 0xffffff && bitfieldSize != 0) {
            throw new BtfException("member '" + name + "': bit offset " + Integer.toUnsignedString(bitOffset)
                    + " out of range" + (bitfieldSize != 0 ? " for a bitfield (max 0xffffff)" : ""));
        }
        if (bitfieldSize < 0 || bitfieldSize > 255) {
            throw new BtfException("member '" + name + "': bitfield size " + bitfieldSize + " not in 0..255");
        }
    }

    /** A member that is not a bitfield. */
    public Member(String name, int type, int bitOffset) {
        this(name, type, bitOffset, 0);
    }
}
