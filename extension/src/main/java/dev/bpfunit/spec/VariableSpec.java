package dev.bpfunit.spec;

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
}
