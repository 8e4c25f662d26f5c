package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.spec.VariableSpec;

/**
 * One global variable of a loaded object, typed by BTF: read its current value (what the programs left in
 * it), or set it between runs when it lives in {@code .data} or {@code .bss}.
 */
public final class GlobalVariable {
    private final Globals globals;
    private final VariableSpec spec;

    GlobalVariable(Globals globals, VariableSpec spec) {
        this.globals = globals;
        this.spec = spec;
    }

    /** The variable's name. */
    public String name() {
        return spec.name();
    }

    /** The data section (map) holding it: {@code .data}, {@code .bss}, {@code .rodata}, {@code .data.custom}. */
    public String section() {
        return spec.map();
    }

    /** Its C type from BTF ({@code volatile __u64}), or {@code "<size> bytes"} without BTF. */
    public String typeName() {
        Btf btf = globals.spec().btf();
        return btf != null && spec.btfTypeId() != 0 ? btf.describe(spec.btfTypeId()) : spec.size() + " bytes";
    }

    /** Size in bytes. */
    public int size() {
        return spec.size();
    }

    /** Offset in its section. */
    public int offset() {
        return spec.offset();
    }

    /** Whether it is in a read-only section ({@code .rodata*}), frozen after load. */
    public boolean isReadOnly() {
        return spec.readOnly();
    }

    /** The parsed definition. */
    public VariableSpec spec() {
        return spec;
    }

    /** The current bytes. */
    public byte[] bytes() {
        return globals.read(spec);
    }

    /** The current value decoded by BTF (fields by name for a struct, elements for an array). */
    public BtfValue value() {
        Btf btf = globals.spec().btf();
        if (btf == null || spec.btfTypeId() == 0) {
            throw new BpfException("global '" + name() + "' has no BTF type (the object was built without -g): "
                    + "read bytes() instead");
        }
        return BtfValue.decode(btf, spec.btfTypeId(), bytes());
    }

    /** The current value as an integer (1, 2, 4 or 8 bytes; signed or not as BTF says, else unsigned below 8). */
    public long asLong() {
        Btf btf = globals.spec().btf();
        if (btf != null && spec.btfTypeId() != 0) {
            return value().asLong();
        }
        return BpfMap.integer(bytes(), 0, spec.size());
    }

    /**
     * Sets the variable: a number, boolean, enumerator name, {@code Map} of fields or list (encoded by its BTF
     * type), or a {@code byte[]} of its size. Programs see the new value on their next run. A {@code .rodata}
     * variable is frozen after load: set it with {@code BpfObject.loader(path).global(name, value)}.
     */
    public void set(Object value) {
        if (spec.readOnly()) {
            throw new BpfException("global '" + name() + "' is in " + section() + ", which is read-only and frozen "
                    + "after load (the verifier treats it as a constant): set it before loading, through "
                    + "BpfObject.loader(path).global(\"" + name() + "\", value)");
        }
        globals.write(spec, encode(value));
    }

    private byte[] encode(Object value) {
        return spec.encode(globals.spec().btf(), value);
    }

    /** The value as text: decoded by BTF where there is BTF, else hex bytes. */
    String render() {
        try {
            Btf btf = globals.spec().btf();
            return btf != null && spec.btfTypeId() != 0 ? value().toString() : BpfMap.hex(bytes());
        } catch (RuntimeException e) {
            return "<" + e.getMessage() + ">";
        }
    }

    @Override
    public String toString() {
        return section() + " " + typeName() + " " + name() + " = " + render();
    }
}
