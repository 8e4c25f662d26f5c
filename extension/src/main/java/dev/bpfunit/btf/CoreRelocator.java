package dev.bpfunit.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies CO-RE ({@code .BTF.ext} core_relo) relocations: computes, for each relocation, the value the object's
 * own BTF implies and the value for a target BTF (the running kernel's or another kernel's), and patches the
 * instruction, with the semantics of libbpf's {@code relo_core.c}.
 *
 * <p>Target candidates are the types whose name equals the local type's up to a {@code ___flavor} suffix and
 * whose kind is the same (enum and enum64 count as one); module BTFs are searched only when the base target
 * has no candidate. Every candidate that matches must give the same result, or the relocation is ambiguous
 * (an exception). A relocation that no candidate satisfies is not an error: its instruction is replaced by a
 * call to helper {@link #POISON_HELPER}, which the verifier rejects only when that instruction is reachable,
 * and the {@link CoreFixup} says why in words.
 */
public final class CoreRelocator {
    /** The helper id a poisoned instruction calls ({@code 0xbad2310}); the verifier prints it as {@code unknown#195896080}. */
    public static final int POISON_HELPER = 0xbad2310;
    private static final int MAX_SPEC = 64;
    private static final int MAX_DEPTH = 32;

    private static final int CLASS_LD = 0x00;
    private static final int CLASS_LDX = 0x01;
    private static final int CLASS_ST = 0x02;
    private static final int CLASS_STX = 0x03;
    private static final int CLASS_ALU = 0x04;
    private static final int CLASS_ALU64 = 0x07;
    private static final int LD_IMM64 = 0x18;
    private static final int CALL = 0x85;

    private final Btf local;
    private final Btf target;
    private final List<Btf> modules;
    private final String targetName;
    private final Map<Integer, List<Candidate>> candidateCache = new HashMap<>();

    /**
     * @param local      the object's BTF (the relocations' type ids and access strings refer to it)
     * @param target     the target kernel's BTF (vmlinux)
     * @param modules    kernel module BTFs split from {@code target}, searched when {@code target} has no candidate
     * @param targetName how messages name the target, e.g. {@code "this kernel"} or a file name
     */
    public CoreRelocator(Btf local, Btf target, List<Btf> modules, String targetName) {
        this.local = Objects.requireNonNull(local, "local BTF");
        this.target = Objects.requireNonNull(target, "target BTF");
        this.modules = List.copyOf(modules);
        this.targetName = Objects.requireNonNull(targetName, "targetName");
    }

    /** Relocates against {@code target} alone, named {@code "the target BTF"} in messages. */
    public CoreRelocator(Btf local, Btf target) {
        this(local, target, List.of(), "the target BTF");
    }

    /** A candidate target type: its BTF (the base or a module's) and id. */
    private record Candidate(Btf btf, int id) {
    }

    /** One step of an access: a member of a struct/union (with its name) or an array index (name null). */
    private record Accessor(int typeId, int index, String name) {
    }

    /** A parsed or matched access: the root type, the named steps, and the bit offset they add up to. */
    private record Spec(Btf btf, int rootId, List<Accessor> accessors, long bitOffset) {
        Accessor last() {
            return accessors.get(accessors.size() - 1);
        }
    }

    /** Either a matched spec or, when the candidate does not match, why not. */
    private record Match(Spec spec, String mismatch) {
        static Match no(String why) {
            return new Match(null, why);
        }
    }

    /** One side's value of a relocation, with what a load or store must know to be resized. */
    private record Value(long value, int memSize, int memTypeId, boolean validate) {
    }

    /** The decision for one relocation, before the instruction is patched. */
    private record Decision(long local, long target, boolean poison, String reason, boolean validate,
                            int localSize, int targetSize, boolean badResize) {
    }

    /** A relocation that cannot be applied at all (bad record, ambiguity, unexpected instruction). */
    private BtfException error(CoreRelo relo, String access, String message) {
        return new BtfException("CO-RE relocation " + relo.kind() + " for " + access + " at instruction "
                + relo.insnOffset() + ": " + message);
    }

    // ---------------------------------------------------------------- public API

    /**
     * Relocates {@code relos} in a copy of {@code instructions} (8-byte slots, the host's byte order).
     *
     * @throws BtfException for a malformed or ambiguous relocation, or an instruction that does not hold the
     *                      value the relocation expects
     */
    public CoreResult relocate(byte[] instructions, List<CoreRelo> relos) {
        byte[] insns = instructions.clone();
        ByteBuffer buf = ByteBuffer.wrap(insns).order(ByteOrder.nativeOrder());
        List<CoreFixup> fixups = new ArrayList<>(relos.size());
        for (CoreRelo relo : relos) {
            String access = describeLocal(relo);
            Decision d = decide(relo, access);
            boolean poisoned = patch(buf, relo, access, d);
            fixups.add(new CoreFixup(relo, access, d.local, poisoned ? 0 : d.target, poisoned,
                    poisoned ? d.reason : ""));
        }
        return new CoreResult(insns, fixups);
    }

    /**
     * What one relocation comes to, without any instruction. (A field whose size changed in a way a load cannot
     * follow is poisoned only when its instruction is a load or store, so it is not reported as poisoned here.)
     */
    public CoreFixup fixup(CoreRelo relo) {
        String access = describeLocal(relo);
        Decision d = decide(relo, access);
        return new CoreFixup(relo, access, d.local, d.poison ? 0 : d.target, d.poison, d.poison ? d.reason : "");
    }

    // ---------------------------------------------------------------- deciding

    private Decision decide(CoreRelo relo, String access) {
        Spec localSpec = parse(relo, access);
        if (relo.kind() == CoreReloKind.TYPE_ID_LOCAL) {
            return new Decision(relo.typeId(), relo.typeId(), false, "", false, 0, 0, false);
        }
        BtfType localType = local.type(relo.typeId());
        if (localType.name().isEmpty()) {
            throw error(relo, access, "the local type is anonymous; CO-RE can only relocate named types");
        }
        List<Candidate> candidates = candidates(relo.typeId(), localType);
        Decision chosen = null;
        Spec chosenSpec = null;
        String firstMismatch = null;
        for (Candidate c : candidates) {
            Match m = match(localSpec, relo.kind(), c);
            if (m.spec == null) {
                if (firstMismatch == null) {
                    firstMismatch = m.mismatch;
                }
                continue;
            }
            Decision d = calculate(relo, access, localSpec, m.spec, null);
            if (chosen == null) {
                chosen = d;
                chosenSpec = m.spec;
            } else if (m.spec.bitOffset != chosenSpec.bitOffset) {
                throw error(relo, access, "ambiguous: " + describeTarget(chosenSpec) + " is at bit offset "
                        + chosenSpec.bitOffset + " but " + describeTarget(m.spec) + " at " + m.spec.bitOffset
                        + "; all candidates must agree");
            } else if (d.poison != chosen.poison || d.target != chosen.target) {
                throw error(relo, access, "ambiguous: " + describeTarget(chosenSpec) + " gives "
                        + (chosen.poison ? "failure" : chosen.target) + " but " + describeTarget(m.spec) + " gives "
                        + (d.poison ? "failure" : d.target) + "; all candidates must agree");
            }
        }
        if (chosen != null) {
            return chosen;
        }
        String why = candidates.isEmpty()
                ? "no " + kindWord(localType) + " named '" + essentialName(localType.name()) + "' on " + targetName
                : firstMismatch;
        return calculate(relo, access, localSpec, null, why);
    }

    /** Local and target values; {@code targetSpec} null means no candidate matched, for the reason given. */
    private Decision calculate(CoreRelo relo, String access, Spec localSpec, Spec targetSpec, String why) {
        CoreReloKind kind = relo.kind();
        if (kind.isFieldBased()) {
            Value l = fieldValue(relo, access, localSpec, true);
            if (targetSpec == null) {
                if (kind == CoreReloKind.FIELD_EXISTS) {
                    return new Decision(l.value, 0, false, "", l.validate, 0, 0, false);
                }
                return new Decision(l.value, 0, true, why, l.validate, 0, 0, false);
            }
            Value t = fieldValue(relo, access, targetSpec, false);
            boolean badResize = false;
            if (l.memSize != t.memSize) {
                BtfType lt = local.type(l.memTypeId);
                BtfType tt = targetSpec.btf.type(t.memTypeId);
                boolean pointers = lt instanceof Ptr && tt instanceof Ptr;
                boolean unsigned = lt instanceof Int li && tt instanceof Int ti && !li.isSigned() && !ti.isSigned();
                badResize = !pointers && !unsigned;
            }
            String reason = badResize ? access + " is " + l.memSize + " bytes (" + local.describe(l.memTypeId)
                    + ") in the object but " + t.memSize + " bytes (" + targetSpec.btf.describe(t.memTypeId) + ") on "
                    + targetName + ", and only pointers and unsigned integers can be read at another size" : "";
            return new Decision(l.value, t.value, false, reason, l.validate, l.memSize, t.memSize, badResize);
        }
        if (isTypeBased(kind)) {
            long l = typeValue(kind, localSpec);
            long t = targetSpec == null ? 0 : typeValue(kind, targetSpec);
            return new Decision(l, t, false, "", kind != CoreReloKind.TYPE_ID_TARGET, 0, 0, false);
        }
        long l = enumValue(kind, localSpec);
        if (targetSpec == null) {
            boolean poison = kind == CoreReloKind.ENUMVAL_VALUE;
            return new Decision(l, 0, poison, poison ? why : "", true, 0, 0, false);
        }
        return new Decision(l, enumValue(kind, targetSpec), false, "", true, 0, 0, false);
    }

    private static boolean isTypeBased(CoreReloKind kind) {
        return switch (kind) {
            case TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE, TYPE_MATCHES -> true;
            default -> false;
        };
    }

    private static boolean isEnumBased(CoreReloKind kind) {
        return kind == CoreReloKind.ENUMVAL_EXISTS || kind == CoreReloKind.ENUMVAL_VALUE;
    }

    private Value fieldValue(CoreRelo relo, String access, Spec spec, boolean isLocal) {
        if (relo.kind() == CoreReloKind.FIELD_EXISTS) {
            return new Value(1, 0, 0, true);
        }
        Btf btf = spec.btf;
        Accessor acc = spec.last();
        if (acc.name == null) {
            long size = btf.sizeOf(acc.typeId);
            return switch (relo.kind()) {
                case FIELD_BYTE_OFFSET -> new Value(spec.bitOffset / 8, (int) size, acc.typeId, true);
                case FIELD_BYTE_SIZE -> new Value(size, 0, 0, true);
                default -> throw error(relo, access, relo.kind() + " cannot be applied to an array element");
            };
        }
        CompositeType parent = (CompositeType) btf.type(acc.typeId);
        Member m = parent.members().get(acc.index);
        int fieldTypeId = btf.resolve(m.type());
        BtfType fieldType = btf.type(fieldTypeId);
        long bitOff = spec.bitOffset;
        long bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteOff;
        long byteSize;
        if (bitfield) {
            byteSize = sizeOfScalar(fieldType);
            if (byteSize <= 0) {
                throw error(relo, access, "bitfield '" + m.name() + "' has type " + btf.describe(m.type())
                        + ", which is not an integer or enum");
            }
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw error(relo, access, "bitfield '" + m.name() + "' (" + bitSize + " bits at bit "
                            + bitOff + (isLocal ? "" : " on " + targetName) + ") cannot be read with one 64-bit load");
                }
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = btf.sizeOf(fieldTypeId);
            byteOff = bitOff / 8;
            bitSize = byteSize * 8;
        }
        return switch (relo.kind()) {
            case FIELD_BYTE_OFFSET -> new Value(byteOff, bitfield ? 0 : (int) byteSize, bitfield ? 0 : fieldTypeId,
                    !bitfield);
            case FIELD_BYTE_SIZE -> new Value(byteSize, 0, 0, !bitfield);
            case FIELD_SIGNED -> new Value(isSigned(fieldType) ? 1 : 0, 0, 0, true);
            case FIELD_LSHIFT_U64 -> new Value(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                    ? 64 - (bitOff + bitSize - byteOff * 8)
                    : (8 - byteSize) * 8 + (bitOff - byteOff * 8), 0, 0, !bitfield);
            case FIELD_RSHIFT_U64 -> new Value(64 - bitSize, 0, 0, true);
            default -> throw new IllegalStateException(relo.kind() + " is not field based");
        };
    }

    private static long sizeOfScalar(BtfType t) {
        if (t instanceof Int i) {
            return i.size();
        } else if (t instanceof EnumType e) {
            return e.size();
        }
        return -1;
    }

    private static boolean isSigned(BtfType t) {
        return t instanceof Int i && i.isSigned() || t instanceof EnumType e && e.signed();
    }

    private static long typeValue(CoreReloKind kind, Spec spec) {
        return switch (kind) {
            case TYPE_ID_TARGET -> spec.rootId;
            case TYPE_EXISTS, TYPE_MATCHES -> 1;
            case TYPE_SIZE -> spec.btf.sizeOf(spec.rootId);
            default -> throw new IllegalStateException(kind + " is not handled here");
        };
    }

    private static long enumValue(CoreReloKind kind, Spec spec) {
        if (kind == CoreReloKind.ENUMVAL_EXISTS) {
            return 1;
        }
        Accessor acc = spec.accessors.get(0);
        EnumType e = (EnumType) spec.btf.type(acc.typeId);
        return e.values().get(acc.index).value();
    }

    // ---------------------------------------------------------------- the local spec

    private Spec parse(CoreRelo relo, String access) {
        String str = relo.accessString();
        if (str.isEmpty() || str.startsWith(":") || str.endsWith(":")) {
            throw error(relo, access, "malformed access string '" + str + "'");
        }
        if (relo.typeId() <= 0 || relo.typeId() >= local.typeCount()) {
            throw error(relo, access, "type id " + relo.typeId() + " is not in the object's BTF (ids 1.."
                    + (local.typeCount() - 1) + ")");
        }
        if (isTypeBased(relo.kind())) {
            if (!str.equals("0")) {
                throw error(relo, access, "a type relocation needs access string \"0\", not '" + str + "'");
            }
            return new Spec(local, relo.typeId(), List.of(), 0);
        }
        String[] parts = str.split(":");
        if (parts.length > MAX_SPEC) {
            throw error(relo, access, "access string '" + str + "' is longer than " + MAX_SPEC + " steps");
        }
        int[] raw = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                raw[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw error(relo, access, "malformed access string '" + str + "'");
            }
            if (raw[i] < 0) {
                throw error(relo, access, "negative index in access string '" + str + "'");
            }
        }
        int id = local.resolve(relo.typeId());
        BtfType t = local.type(id);
        List<Accessor> accs = new ArrayList<>();
        if (isEnumBased(relo.kind())) {
            if (!(t instanceof EnumType e) || raw.length > 1 || raw[0] >= e.values().size()) {
                throw error(relo, access, "access string '" + str + "' does not name an enumerator of "
                        + local.describe(relo.typeId()));
            }
            accs.add(new Accessor(id, raw[0], e.values().get(raw[0]).name()));
            return new Spec(local, relo.typeId(), accs, 0);
        }
        accs.add(new Accessor(id, raw[0], null));
        long bitOffset = (long) raw[0] * local.sizeOf(id) * 8;
        for (int i = 1; i < raw.length; i++) {
            id = local.resolve(id);
            t = local.type(id);
            if (t instanceof CompositeType c) {
                if (raw[i] >= c.members().size()) {
                    throw error(relo, access, "member index " + raw[i] + " is past the end of "
                            + local.describe(id) + " (" + c.members().size() + " members)");
                }
                Member m = c.members().get(raw[i]);
                bitOffset += m.bitOffset();
                if (!m.name().isEmpty()) {
                    accs.add(new Accessor(id, raw[i], m.name()));
                }
                id = m.type();
            } else if (t instanceof Array a) {
                int elem = local.resolve(a.type());
                if (!isFlexible(local, accs.get(accs.size() - 1), a) && raw[i] >= a.nelems()) {
                    throw error(relo, access, "index " + raw[i] + " is past the end of " + local.describe(id));
                }
                accs.add(new Accessor(elem, raw[i], null));
                bitOffset += (long) raw[i] * local.sizeOf(elem) * 8;
                id = elem;
            } else {
                throw error(relo, access, "step " + i + " of '" + str + "' goes into " + local.describe(id)
                        + ", which is neither a struct, a union nor an array");
            }
        }
        return new Spec(local, relo.typeId(), accs, bitOffset);
    }

    /** A zero-length array that is the last member of its struct (the accessor before it names that member). */
    private static boolean isFlexible(Btf btf, Accessor enclosing, Array a) {
        if (enclosing.name == null || a.nelems() > 0) {
            return false;
        }
        CompositeType c = (CompositeType) btf.type(enclosing.typeId);
        return enclosing.index == c.members().size() - 1;
    }

    // ---------------------------------------------------------------- candidates

    private List<Candidate> candidates(int localId, BtfType localType) {
        return candidateCache.computeIfAbsent(localId, k -> {
            String essential = essentialName(localType.name());
            List<Candidate> found = candidatesIn(target, essential, localType);
            for (int i = 0; found.isEmpty() && i < modules.size(); i++) {
                found = candidatesIn(modules.get(i), essential, localType);
            }
            return found;
        });
    }

    private List<Candidate> candidatesIn(Btf btf, String essential, BtfType localType) {
        List<Candidate> out = new ArrayList<>();
        for (int id : btf.idsByEssentialName(essential)) {
            if (kindsCompatible(localType, btf.type(id))) {
                out.add(new Candidate(btf, id));
            }
        }
        return out;
    }

    /**
     * The name without its flavor: everything from the last {@code ___} that has a non-underscore on both sides
     * ({@code task_struct___old} -> {@code task_struct}); {@link Btf#essentialName} is its home.
     */
    public static String essentialName(String name) {
        return Btf.essentialName(name);
    }

    private static boolean kindsCompatible(BtfType a, BtfType b) {
        return a.kind() == b.kind() || a instanceof EnumType && b instanceof EnumType;
    }

    // ---------------------------------------------------------------- matching a candidate

    private Match match(Spec localSpec, CoreReloKind kind, Candidate c) {
        Btf tb = c.btf;
        if (isTypeBased(kind)) {
            boolean ok = kind == CoreReloKind.TYPE_MATCHES
                    ? typesMatch(local, localSpec.rootId, tb, c.id, false, MAX_DEPTH)
                    : typesCompatible(local, localSpec.rootId, tb, c.id, MAX_DEPTH);
            return ok ? new Match(new Spec(tb, c.id, List.of(), 0), null)
                    : Match.no(tb.describe(c.id) + " on " + targetName + " does not "
                    + (kind == CoreReloKind.TYPE_MATCHES ? "match" : "have a layout compatible with")
                    + " the object's " + local.describe(localSpec.rootId));
        }
        if (isEnumBased(kind)) {
            int id = tb.resolve(c.id);
            String wanted = localSpec.accessors.get(0).name;
            if (tb.type(id) instanceof EnumType e) {
                String ess = essentialName(wanted);
                for (int i = 0; i < e.values().size(); i++) {
                    if (essentialName(e.values().get(i).name()).equals(ess)) {
                        return new Match(new Spec(tb, c.id, List.of(new Accessor(id, i, e.values().get(i).name())),
                                0), null);
                    }
                }
            }
            return Match.no("no enumerator '" + wanted + "' in " + possessive() + " " + tb.describe(c.id));
        }
        List<Accessor> out = new ArrayList<>();
        long[] bitOffset = {0};
        int id = c.id;
        for (int i = 0; i < localSpec.accessors.size(); i++) {
            Accessor la = localSpec.accessors.get(i);
            id = tb.resolve(id);
            if (la.name != null) {
                int[] next = new int[1];
                String why = matchMember(la, tb, id, out, bitOffset, next, 0);
                if (why != null) {
                    return Match.no(why);
                }
                id = next[0];
            } else {
                if (i > 0) {
                    if (!(tb.type(id) instanceof Array a)) {
                        return Match.no(accessPath(localSpec, i) + " is " + tb.describe(id) + " on " + targetName
                                + ", not an array");
                    }
                    if (!isFlexible(tb, out.get(out.size() - 1), a) && la.index >= a.nelems()) {
                        return Match.no("index " + la.index + " is past the end of " + possessive() + " "
                                + accessPath(localSpec, i) + " (" + a.nelems() + " elements)");
                    }
                    id = tb.resolve(a.type());
                }
                out.add(new Accessor(id, la.index, null));
                bitOffset[0] += (long) la.index * tb.sizeOf(id) * 8;
            }
        }
        return new Match(new Spec(tb, c.id, out, bitOffset[0]), null);
    }

    /**
     * Finds member {@code la.name} in composite {@code id} of the target, looking through anonymous members;
     * returns null on success (the accessor added, the offset updated, {@code next[0]} the member's type) or why
     * not.
     */
    private String matchMember(Accessor la, Btf tb, int id, List<Accessor> out, long[] bitOffset, int[] next,
                               int depth) {
        id = tb.resolve(id);
        BtfType t = tb.type(id);
        CompositeType localParent = (CompositeType) local.type(la.typeId);
        String where = possessive() + " " + (!t.name().isEmpty() ? t.name()
                : localParent.name().isEmpty() ? local.describe(la.typeId) : localParent.name());
        if (!(t instanceof CompositeType c)) {
            return "'" + la.name + "' is looked for in " + tb.describe(id) + " on " + targetName
                    + ", which is not a struct or union";
        }
        if (depth > MAX_SPEC) {
            return "anonymous members nest more than " + MAX_SPEC + " deep in " + tb.describe(id);
        }
        for (int i = 0; i < c.members().size(); i++) {
            Member m = c.members().get(i);
            if (m.name().isEmpty()) {
                long before = bitOffset[0];
                int size = out.size();
                bitOffset[0] += m.bitOffset();
                BtfType inner = tb.type(tb.resolve(m.type()));
                if (inner instanceof CompositeType
                        && matchMember(la, tb, m.type(), out, bitOffset, next, depth + 1) == null) {
                    return null;
                }
                bitOffset[0] = before;
                while (out.size() > size) {
                    out.remove(out.size() - 1);
                }
            } else if (m.name().equals(la.name)) {
                Member lm = localParent.members().get(la.index);
                if (!fieldsCompatible(local, lm.type(), tb, m.type())) {
                    return "field '" + la.name + "' of " + where + " is " + tb.describe(m.type())
                            + ", which does not fit the object's " + local.describe(lm.type());
                }
                bitOffset[0] += m.bitOffset();
                out.add(new Accessor(id, i, m.name()));
                next[0] = m.type();
                return null;
            }
        }
        return depth == 0 ? "no field '" + la.name + "' on " + where : "not found";
    }

    private String possessive() {
        return targetName + "'s";
    }

    // ---------------------------------------------------------------- type compatibility

    /** libbpf's {@code bpf_core_fields_are_compat}: whether a field's local and target types can be relocated. */
    static boolean fieldsCompatible(Btf lb, int lid, Btf tb, int tid) {
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            BtfType l = lb.type(lb.resolve(lid));
            BtfType t = tb.type(tb.resolve(tid));
            if (l instanceof CompositeType && t instanceof CompositeType) {
                return true;
            }
            if (!kindsCompatible(l, t)) {
                return false;
            }
            if (l instanceof Ptr || l instanceof Float) {
                return true;
            } else if (l instanceof Fwd || l instanceof EnumType) {
                String ln = essentialName(l.name());
                String tn = essentialName(t.name());
                return ln.isEmpty() || tn.isEmpty() || ln.equals(tn);
            } else if (l instanceof Int li) {
                return li.offset() == 0 && ((Int) t).offset() == 0;
            } else if (l instanceof Array la) {
                lid = la.type();
                tid = ((Array) t).type();
            } else {
                return false;
            }
        }
        return false;
    }

    /**
     * Whether local type {@code localId} and target type {@code targetId} are compatible in CO-RE's sense
     * (libbpf's {@code bpf_core_types_are_compat}): same kind after typedefs and modifiers, pointers and arrays to
     * compatible types, functions with compatible parameters; struct, union and enum names are not compared.
     * Used for TYPE_EXISTS/TYPE_SIZE/TYPE_ID_TARGET and to check kfunc and typed ksym declarations.
     */
    public static boolean typesCompatible(Btf local, int localId, Btf target, int targetId) {
        return typesCompatible(local, localId, target, targetId, MAX_DEPTH);
    }

    /** libbpf's {@code bpf_core_types_are_compat}, for the type-based relocations. */
    static boolean typesCompatible(Btf lb, int lid, Btf tb, int tid, int level) {
        if (!kindsCompatible(lb.type(lid), tb.type(tid))) {
            return false;
        }
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            lid = lb.resolve(lid);
            tid = tb.resolve(tid);
            BtfType l = lb.type(lid);
            BtfType t = tb.type(tid);
            if (!kindsCompatible(l, t)) {
                return false;
            }
            if (l instanceof Void || l instanceof CompositeType || l instanceof EnumType || l instanceof Fwd) {
                return true;
            } else if (l instanceof Int li) {
                return li.offset() == 0 && ((Int) t).offset() == 0;
            } else if (l instanceof Ptr lp) {
                lid = lp.type();
                tid = ((Ptr) t).type();
            } else if (l instanceof Array la) {
                lid = la.type();
                tid = ((Array) t).type();
            } else if (l instanceof FuncProto lf) {
                FuncProto tf = (FuncProto) t;
                if (lf.params().size() != tf.params().size()) {
                    return false;
                }
                for (int i = 0; i < lf.params().size(); i++) {
                    if (level <= 0 || !typesCompatible(lb, lb.resolve(lf.params().get(i).type()), tb,
                            tb.resolve(tf.params().get(i).type()), level - 1)) {
                        return false;
                    }
                }
                lid = lf.returnType();
                tid = tf.returnType();
            } else {
                return false;
            }
        }
        return false;
    }

    /** libbpf's {@code __bpf_core_types_match}, for TYPE_MATCHES: a stricter, structural comparison. */
    static boolean typesMatch(Btf lb, int lid, Btf tb, int tid, boolean behindPtr, int level) {
        if (level <= 0) {
            return false;
        }
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            BtfType l = lb.type(lb.resolve(lid));
            BtfType t = tb.type(tb.resolve(tid));
            if (!namesMatch(l.name(), t.name())) {
                return false;
            }
            if (l instanceof Void) {
                return t instanceof Void;
            } else if (l instanceof Fwd lf) {
                if (behindPtr && !(t instanceof Fwd)) {
                    return t instanceof Struct && !lf.union() || t instanceof Union && lf.union();
                }
                return t instanceof Fwd tf && tf.union() == lf.union();
            } else if (l instanceof EnumType le) {
                return t instanceof EnumType te && enumsMatch(le, te);
            } else if (l instanceof CompositeType lc) {
                if (behindPtr) {
                    if (l.kind() == t.kind()) {
                        return true;
                    }
                    return t instanceof Fwd tf && tf.union() == (l instanceof Union);
                }
                return l.kind() == t.kind() && compositesMatch(lb, lc, tb, (CompositeType) t, level);
            } else if (l instanceof Int li) {
                return t instanceof Int ti && li.size() == ti.size() && li.isSigned() == ti.isSigned();
            } else if (l instanceof Ptr lp) {
                if (!(t instanceof Ptr tp)) {
                    return false;
                }
                behindPtr = true;
                lid = lp.type();
                tid = tp.type();
            } else if (l instanceof Array la) {
                if (!(t instanceof Array ta) || la.nelems() != ta.nelems()) {
                    return false;
                }
                lid = la.type();
                tid = ta.type();
            } else if (l instanceof FuncProto lf) {
                if (!(t instanceof FuncProto tf) || lf.params().size() != tf.params().size()) {
                    return false;
                }
                for (int i = 0; i < lf.params().size(); i++) {
                    if (!typesMatch(lb, lf.params().get(i).type(), tb, tf.params().get(i).type(), behindPtr,
                            level - 1)) {
                        return false;
                    }
                }
                lid = lf.returnType();
                tid = tf.returnType();
            } else {
                return false;
            }
        }
        return false;
    }

    private static boolean namesMatch(String local, String target) {
        if (target.isEmpty()) {
            return local.isEmpty();
        }
        return essentialName(local).equals(essentialName(target));
    }

    private static boolean enumsMatch(EnumType l, EnumType t) {
        if (l.size() != t.size() || l.values().size() > t.values().size()) {
            return false;
        }
        for (EnumValue lv : l.values()) {
            if (t.values().stream().noneMatch(tv -> namesMatch(lv.name(), tv.name()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean compositesMatch(Btf lb, CompositeType l, Btf tb, CompositeType t, int level) {
        if (l.members().size() > t.members().size()) {
            return false;
        }
        for (Member lm : l.members()) {
            boolean found = false;
            for (Member tm : t.members()) {
                if (namesMatch(lm.name(), tm.name()) && typesMatch(lb, lm.type(), tb, tm.type(), false, level - 1)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- patching

    /** Patches the relocation's instruction; returns whether it was poisoned. */
    private boolean patch(ByteBuffer buf, CoreRelo relo, String access, Decision d) {
        int slot = relo.insnOffset();
        int slots = buf.capacity() / 8;
        if (slot < 0 || slot >= slots) {
            throw error(relo, access, "the instruction is outside the program (" + slots + " instructions)");
        }
        int at = slot * 8;
        int code = buf.get(at) & 0xff;
        if (d.poison) {
            poison(buf, slot, code == LD_IMM64 && slot + 1 < slots);
            return true;
        }
        int cls = code & 0x07;
        switch (cls) {
            case CLASS_ALU, CLASS_ALU64 -> {
                if ((code & 0x08) != 0) {
                    throw error(relo, access, "instruction " + slot + " is an ALU operation on a register; "
                            + "only an immediate operand can be relocated");
                }
                int imm = buf.getInt(at + 4);
                if (d.validate && imm != (int) d.local) {
                    throw unexpected(relo, access, "ALU immediate", imm, d);
                }
                buf.putInt(at + 4, (int) d.target);
            }
            case CLASS_LDX, CLASS_ST, CLASS_STX -> {
                short off = buf.getShort(at + 2);
                if (d.validate && off != d.local) {
                    throw unexpected(relo, access, "memory offset", off, d);
                }
                if (d.target > Short.MAX_VALUE) {
                    throw error(relo, access, "offset " + d.target + " on " + targetName
                            + " does not fit the instruction's 16-bit offset");
                }
                if (d.badResize) {
                    poison(buf, slot, false);
                    return true;
                }
                buf.putShort(at + 2, (short) d.target);
                if (d.localSize != d.targetSize) {
                    int have = sizeBytes(code);
                    if (have != d.localSize) {
                        throw error(relo, access, "instruction " + slot + " accesses " + have + " bytes, but the field"
                                + " is " + d.localSize + " bytes in the object");
                    }
                    int sizeBits = sizeCode(d.targetSize);
                    if (sizeBits < 0) {
                        throw error(relo, access, "the field is " + d.targetSize + " bytes on " + targetName
                                + ", which no load or store can access");
                    }
                    buf.put(at, (byte) ((code & 0xe7) | sizeBits));
                }
            }
            case CLASS_LD -> {
                if (code != LD_IMM64 || slot + 1 >= slots || (buf.get(at + 1) & 0xf0) != 0 || buf.getShort(at + 2) != 0
                        || buf.get(at + 8) != 0 || buf.get(at + 9) != 0 || buf.getShort(at + 10) != 0) {
                    throw error(relo, access, "instruction " + slot + " is not a plain 64-bit immediate load");
                }
                long imm = Integer.toUnsignedLong(buf.getInt(at + 4)) | (long) buf.getInt(at + 12) << 32;
                if (d.validate && imm != d.local) {
                    throw unexpected(relo, access, "64-bit immediate", imm, d);
                }
                buf.putInt(at + 4, (int) d.target);
                buf.putInt(at + 12, (int) (d.target >>> 32));
            }
            default -> throw error(relo, access, String.format("instruction %d (opcode 0x%02x) cannot be relocated: "
                    + "only ALU immediates, loads, stores and 64-bit immediate loads can", slot, code));
        }
        return false;
    }

    private BtfException unexpected(CoreRelo relo, String access, String what, long got, Decision d) {
        return error(relo, access, "the instruction's " + what + " is " + got + ", but the object's BTF says "
                + d.local + ": the BTF does not belong to these instructions");
    }

    private static void poison(ByteBuffer buf, int slot, boolean twoSlots) {
        if (twoSlots) {
            poisonSlot(buf, slot + 1);
        }
        poisonSlot(buf, slot);
    }

    private static void poisonSlot(ByteBuffer buf, int slot) {
        int at = slot * 8;
        buf.put(at, (byte) CALL);
        buf.put(at + 1, (byte) 0);
        buf.putShort(at + 2, (short) 0);
        buf.putInt(at + 4, POISON_HELPER);
    }

    private static int sizeBytes(int code) {
        return switch (code & 0x18) {
            case 0x00 -> 4;
            case 0x08 -> 2;
            case 0x10 -> 1;
            default -> 8;
        };
    }

    private static int sizeCode(int bytes) {
        return switch (bytes) {
            case 4 -> 0x00;
            case 2 -> 0x08;
            case 1 -> 0x10;
            case 8 -> 0x18;
            default -> -1;
        };
    }

    // ---------------------------------------------------------------- descriptions

    /** {@code task_struct.pid}, {@code x.a[3].b}, {@code struct foo}, {@code enum e::V}, from the local BTF. */
    private String describeLocal(CoreRelo relo) {
        try {
            Spec s = parseQuietly(relo);
            return s == null ? "type [" + relo.typeId() + "] access '" + relo.accessString() + "'"
                    : describeSpec(s, relo.kind());
        } catch (RuntimeException e) {
            return "type [" + relo.typeId() + "] access '" + relo.accessString() + "'";
        }
    }

    private Spec parseQuietly(CoreRelo relo) {
        if (relo.typeId() <= 0 || relo.typeId() >= local.typeCount()) {
            return null;
        }
        return parse(relo, "type [" + relo.typeId() + "]");
    }

    private String describeSpec(Spec s, CoreReloKind kind) {
        Btf b = s.btf;
        if (isTypeBased(kind)) {
            return b.describe(s.rootId);
        }
        if (isEnumBased(kind)) {
            return b.describe(s.rootId) + "::" + s.accessors.get(0).name;
        }
        return accessPath(s, s.accessors.size());
    }

    /** The C expression for the first {@code count} accessors of a field spec. */
    private static String accessPath(Spec s, int count) {
        BtfType root = s.btf.type(s.rootId);
        StringBuilder b = new StringBuilder(root.name().isEmpty() ? s.btf.describe(s.rootId) : root.name());
        for (int i = 0; i < count && i < s.accessors.size(); i++) {
            Accessor a = s.accessors.get(i);
            if (a.name != null) {
                b.append('.').append(a.name);
            } else if (i > 0 || a.index > 0) {
                b.append('[').append(a.index).append(']');
            }
        }
        return b.toString();
    }

    private String describeTarget(Spec s) {
        return "[" + s.rootId + "] " + s.btf.describe(s.rootId);
    }

    private static String kindWord(BtfType t) {
        return switch (t.kind()) {
            case STRUCT -> "struct";
            case UNION -> "union";
            case ENUM, ENUM64 -> "enum";
            case TYPEDEF -> "typedef";
            case FWD -> "forward-declared type";
            case FUNC_PROTO -> "function type";
            default -> t.kind().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
