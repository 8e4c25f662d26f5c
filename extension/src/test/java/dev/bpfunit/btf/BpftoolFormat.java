package dev.bpfunit.btf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Test helper: prints a Btf the way {@code bpftool btf dump file X} (raw format) does, and runs bpftool. */
final class BpftoolFormat {
    private BpftoolFormat() {
    }

    /** Every type from id 1 (or the first split id) on, one bpftool entry per type, joined by newlines. */
    static String dump(Btf btf, int firstId) {
        StringBuilder sb = new StringBuilder();
        for (int id = firstId; id < btf.typeCount(); id++) {
            sb.append(entry(btf, id)).append('\n');
        }
        return sb.toString();
    }

    private static String q(String name) {
        return "'" + (name.isEmpty() ? "(anon)" : name) + "'";
    }

    static String entry(Btf btf, int id) {
        BtfType t = btf.type(id);
        StringBuilder sb = new StringBuilder("[" + id + "] " + t.kind() + " " + q(t.name()));
        if (t instanceof Int x) {
            String enc = switch (x.encoding()) {
                case 0 -> "(none)";
                case Int.SIGNED -> "SIGNED";
                case Int.CHAR -> "CHAR";
                case Int.BOOL -> "BOOL";
                default -> "UNKN";
            };
            sb.append(" size=" + x.size() + " bits_offset=" + x.offset() + " nr_bits=" + x.bits() + " encoding=" + enc);
        } else if (t instanceof Ptr p) {
            sb.append(" type_id=" + p.type());
        } else if (t instanceof Const c) {
            sb.append(" type_id=" + c.type());
        } else if (t instanceof Volatile v) {
            sb.append(" type_id=" + v.type());
        } else if (t instanceof Restrict r) {
            sb.append(" type_id=" + r.type());
        } else if (t instanceof Typedef td) {
            sb.append(" type_id=" + td.type());
        } else if (t instanceof TypeTag tt) {
            sb.append(" type_id=" + tt.type());
        } else if (t instanceof Array a) {
            sb.append(" type_id=" + a.type() + " index_type_id=" + a.indexType() + " nr_elems=" + a.nelems());
        } else if (t instanceof CompositeType c) {
            sb.append(" size=" + c.size() + " vlen=" + c.members().size());
            for (Member m : c.members()) {
                sb.append("\n\t" + q(m.name()) + " type_id=" + m.type() + " bits_offset=" + m.bitOffset());
                if (m.bitfieldSize() != 0) {
                    sb.append(" bitfield_size=" + m.bitfieldSize());
                }
            }
        } else if (t instanceof EnumType e) {
            boolean is64 = t instanceof Enum64;
            sb.append(" encoding=" + (e.signed() ? "SIGNED" : "UNSIGNED") + " size=" + e.size() + " vlen=" + e.values().size());
            for (EnumValue v : e.values()) {
                String val = e.signed() ? Long.toString(is64 ? v.value() : (int) v.value())
                        : Long.toUnsignedString(is64 ? v.value() : v.value() & 0xffffffffL);
                sb.append("\n\t" + q(v.name()) + " val=" + val + (is64 ? (e.signed() ? "LL" : "ULL") : ""));
            }
        } else if (t instanceof Fwd f) {
            sb.append(" fwd_kind=" + (f.union() ? "union" : "struct"));
        } else if (t instanceof Func f) {
            sb.append(" type_id=" + f.type() + " linkage=" + f.linkage().name().toLowerCase(Locale.ROOT));
        } else if (t instanceof FuncProto fp) {
            sb.append(" ret_type_id=" + fp.returnType() + " vlen=" + fp.params().size());
            for (Param p : fp.params()) {
                sb.append("\n\t" + q(p.name()) + " type_id=" + p.type());
            }
        } else if (t instanceof Var v) {
            sb.append(" type_id=" + v.type() + ", linkage=" + v.linkage().name().toLowerCase(Locale.ROOT));
        } else if (t instanceof Datasec d) {
            sb.append(" size=" + d.size() + " vlen=" + d.vars().size());
            for (VarSecinfo v : d.vars()) {
                BtfType vt = btf.type(v.type());
                sb.append("\n\ttype_id=" + v.type() + " offset=" + v.offset() + " size=" + v.size()
                        + " (" + vt.kind() + " " + q(vt.name()) + ")");
            }
        } else if (t instanceof Float f) {
            sb.append(" size=" + f.size());
        } else if (t instanceof DeclTag dt) {
            sb.append(" type_id=" + dt.type() + " component_idx=" + dt.componentIdx());
        }
        return sb.toString();
    }

    static boolean bpftoolAvailable() {
        return Files.isExecutable(Path.of("/usr/sbin/bpftool")) || Files.isExecutable(Path.of("/usr/bin/bpftool"));
    }

    /** Runs bpftool with the arguments; its stdout, or an AssertionError with its stderr. */
    static String bpftool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("bpftool");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("bpftool", ".out");
        Path err = Files.createTempFile("bpftool", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bpftool timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(cmd + " failed (" + p.exitValue() + "): " + Files.readString(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
