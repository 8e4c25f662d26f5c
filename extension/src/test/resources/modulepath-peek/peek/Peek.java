package peek;

/** Reaches past the exported API into the kernel layer: on the module path this must not compile. */
public final class Peek {
    public static int open() {
        return dev.bpfunit.sys.Bpf.class.getName().length() + dev.bpfunit.BpfObject.class.getName().length();
    }
}
