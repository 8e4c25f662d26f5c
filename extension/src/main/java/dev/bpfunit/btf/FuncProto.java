package dev.bpfunit.btf;

import java.util.List;

/** BTF FUNC_PROTO: a function signature; {@code returnType} 0 is void. */
public record FuncProto(int returnType, List<Param> params) implements BtfType {
    public FuncProto {
        params = Names.copy(params, "params of FUNC_PROTO");
    }

    @Override
    public String name() {
        return "";
    }

    @Override
    public BtfKind kind() {
        return BtfKind.FUNC_PROTO;
    }

    /** Whether the last parameter is the {@code ...} marker (name "" and type 0). */
    public boolean isVariadic() {
        return !params.isEmpty() && params.get(params.size() - 1).type() == 0
                && params.get(params.size() - 1).name().isEmpty();
    }
}
