package dev.bpfunit.btf;

/** One variable of a DATASEC: the VAR (or FUNC, for extern functions) {@code type} at {@code offset}, {@code size} bytes. */
public record VarSecinfo(int type, int offset, int size) {
}
