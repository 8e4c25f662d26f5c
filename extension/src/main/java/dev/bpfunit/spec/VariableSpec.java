package dev.bpfunit.spec;

import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfException;
import dev.bpfunit.btf.BtfValue;

/**
 * A global variable in a data section.
 *
 * @param name      the variable's name
 * @param map       the data map holding it ({@code .data}, {@code .bss}, {@code .rodata}, ...)
 * @param offset    byte offset in the map's value
 * @param size      size in bytes
 * @param btfTypeId BTF type of the variable (0 without BTF)
 * @param readOnly  whether it is in a read-only section (frozen after load)
 */
public record VariableSpec(String name, String map, int offset, int size, int btfTypeId, boolean readOnly) {

    /**
     * The variable's bytes for a Java value, by its BTF type where there is one ({@link BtfValue#encode}), else by
     * its size ({@link BtfValue#encodeBySize}). Every way of setting a global comes here, so all accept the same
     * values: numbers of any width that fit, numeric strings, enumerator names, strings for char arrays, maps or
     * records for structs, byte[] of the exact size.
     *
     * @param btf the object's BTF, or null
     * @throws BtfException naming the variable, its type and what would fit
     */
    public byte[] encode(Btf btf, Object value) {
        String path = "global '" + name + "' (" + describe(btf) + ")";
        if (btf != null && btfTypeId != 0) {
            return BtfValue.encode(btf, btfTypeId, value, path);
        }
        return BtfValue.encodeBySize(size, value, path);
    }

    /** The variable's type and size for messages, e.g. {@code const volatile __u16, 2 bytes}. */
    public String describe(Btf btf) {
        String type = btf != null && btfTypeId != 0 ? btf.describe(btfTypeId) + ", " : "";
        return type + size + (size == 1 ? " byte" : " bytes");
    }
}
