package dev.bpfunit.btf;

import java.util.List;

/** Argument checks shared by the type records. */
final class Names {
    private Names() {
    }

    static String check(String name) {
        if (name == null) {
            throw new BtfException("a BTF name must not be null (use \"\" for an anonymous type or member)");
        }
        return name;
    }

    static <T> List<T> copy(List<T> list, String what) {
        if (list == null) {
            throw new BtfException(what + " must not be null");
        }
        return List.copyOf(list);
    }

    /** {@link #copy(List, String)} of a named type's list: the message, {@code what + "'name'"}, made only to throw. */
    static <T> List<T> copy(List<T> list, String what, String name) {
        if (list == null) {
            throw new BtfException(what + "'" + name + "' must not be null");
        }
        return List.copyOf(list);
    }
}
