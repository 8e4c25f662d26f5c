package dev.bpfunit;

import dev.bpfunit.sys.BpfConstants;
import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.VariableSpec;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.MappedRegion;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global variables of a loaded object ({@code .data}, {@code .bss}, {@code .rodata} and custom data
 * sections) by name: read them after test runs, change {@code .data} and {@code .bss} ones between runs.
 * Get it with {@link BpfObject#globals()}; its mappings are closed with the object.
 *
 * <pre>{@code
 * Globals g = obj.globals();
 * g.get("filter_pid").set(1234);
 * prog.testRun().context(args).run();
 * assertThat(g.get("runs").asLong()).isEqualTo(1);
 * }</pre>
 */
public final class Globals implements AutoCloseable {
    private final BpfObject object;
    private final Map<String, GlobalVariable> variables = new LinkedHashMap<>();
    private final Map<String, MappedRegion> regions = new HashMap<>();
    private boolean closed;

    Globals(BpfObject object) {
        this.object = object;
        for (VariableSpec v : object.spec().variables()) {
            variables.put(v.name(), new GlobalVariable(this, v));
        }
    }

    /** The variable with this name; a wrong name lists the variables. */
    public GlobalVariable get(String name) {
        GlobalVariable v = variables.get(name);
        if (v == null) {
            throw new BpfException("no global variable '" + name + "' in " + object.name() + "; variables: "
                    + BpfObject.listOf(variables.keySet()));
        }
        return v;
    }

    /** Every variable, in the object's order. */
    public Collection<GlobalVariable> all() {
        return variables.values();
    }

    /** The names of every variable. */
    public List<String> names() {
        return new ArrayList<>(variables.keySet());
    }

    /** Every variable as {@code section name = value}, one per line, for failure messages. */
    public String dump() {
        StringBuilder b = new StringBuilder("globals of ").append(object.name());
        for (GlobalVariable v : variables.values()) {
            b.append("\n  ").append(v.section()).append(' ').append(v.name()).append(" = ").append(v.render());
        }
        return b.toString();
    }

    ObjectSpec spec() {
        return object.spec();
    }

    BpfMap map(VariableSpec v) {
        return object.map(v.map());
    }

    /** The variable's bytes, from the mapping of its map where it can be mapped, else by a lookup. */
    synchronized byte[] read(VariableSpec v) {
        MappedRegion region = region(v);
        if (region != null) {
            return region.getBytes(v.offset(), v.size());
        }
        byte[] value = map(v).lookup(new byte[4]).orElseThrow(() -> new BpfException("map '" + v.map()
                + "' has no element 0"));
        return java.util.Arrays.copyOfRange(value, v.offset(), v.offset() + v.size());
    }

    /** Writes the variable's bytes, through the mapping or by a read-modify-write of element 0. */
    synchronized void write(VariableSpec v, byte[] bytes) {
        MappedRegion region = region(v);
        if (region != null) {
            region.putBytes(v.offset(), bytes);
            return;
        }
        BpfMap map = map(v);
        byte[] value = map.lookup(new byte[4]).orElseThrow(() -> new BpfException("map '" + v.map()
                + "' has no element 0"));
        System.arraycopy(bytes, 0, value, v.offset(), bytes.length);
        map.update(new byte[4], value, BpfMap.EXIST);
    }

    private MappedRegion region(VariableSpec v) {
        if (closed) {
            throw new BpfException("the globals of " + object.name() + " are closed (the object was closed)");
        }
        MappedRegion r = regions.get(v.map());
        if (r != null) {
            return r;
        }
        BpfMap map = map(v);
        MapSpec spec = map.spec();
        if ((spec.flags() & BpfConstants.BPF_F_MMAPABLE) == 0) {
            return null;
        }
        r = Bpf.mmap(map.fd(), spec.valueSize(), !v.readOnly());
        regions.put(v.map(), r);
        return r;
    }

    /** Unmaps the data sections; idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        List<AutoCloseable> all = new ArrayList<>(regions.values());
        regions.clear();
        Closeables.closeAll(all);
    }
}
