package dev.bpfunit.btf;

/**
 * One BTF type, as an immutable record per kind; types refer to each other by id.
 *
 * <p>Names are never null: an anonymous type or member has the name {@code ""}.
 */
public sealed interface BtfType
        permits Void, Int, Ptr, Array, Struct, Union, Enum, Fwd, Typedef, Volatile, Const, Restrict, Func,
        FuncProto, Var, Datasec, Float, DeclTag, TypeTag, Enum64 {

    /** The type's name, {@code ""} when it has none. */
    String name();

    /** The type's kind. */
    BtfKind kind();
}
