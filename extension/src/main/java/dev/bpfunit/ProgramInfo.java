package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.ProgInfo;
import dev.bpfunit.sys.SystemInfo;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * What the kernel reports about a loaded program, as {@code bpftool prog show} lists it: id, type, name, tag,
 * load time, translated and JITed sizes, map ids, BTF id and, while {@link BpfStats} are on, its run count and
 * run time.
 *
 * @param id the program's system-wide id
 * @param typeNumber the {@code BPF_PROG_TYPE_*} number (see {@link #type()})
 * @param name the name as the kernel keeps it (15 characters at most)
 * @param tag the program tag, 16 hex digits
 * @param loadTimeSinceBootNs when it was loaded, in nanoseconds since boot
 * @param createdByUid the uid that loaded it
 * @param xlatedProgLen bytes of translated instructions ({@code xlated})
 * @param jitedProgLen bytes of JITed code ({@code jited}), 0 when not JITed
 * @param mapIds ids of the maps the program uses
 * @param btfId id of its BTF, 0 if none
 * @param runCnt runs counted while statistics were enabled
 * @param runTimeNs total run time counted while statistics were enabled
 * @param recursionMisses runs skipped because of recursion
 * @param verifiedInsns instructions the verifier processed (Linux 5.16)
 * @param xlatedInsns the translated instructions, 8 bytes a slot; empty when withheld
 */
public record ProgramInfo(int id, int typeNumber, String name, String tag, long loadTimeSinceBootNs,
                          int createdByUid, int xlatedProgLen, int jitedProgLen, int[] mapIds, int btfId, long runCnt,
                          long runTimeNs, long recursionMisses, int verifiedInsns, byte[] xlatedInsns) {

    public ProgramInfo {
        mapIds = mapIds.clone();
        xlatedInsns = xlatedInsns.clone();
    }

    static ProgramInfo of(ProgInfo i) {
        return new ProgramInfo(i.id(), i.type(), i.name(), i.tag(), i.loadTime(), i.createdByUid(), i.xlatedProgLen(),
                i.jitedProgLen(), i.mapIds(), i.btfId(), i.runCnt(), i.runTimeNs(), i.recursionMisses(),
                i.verifiedInsns(), i.xlatedInsns());
    }

    /** The program type; {@code UNSPEC} for a number this bpfunit does not know. */
    public ProgramType type() {
        return ProgramType.of(typeNumber).orElse(ProgramType.UNSPEC);
    }

    /** A copy of the map ids. */
    @Override
    public int[] mapIds() {
        return mapIds.clone();
    }

    /** A copy of the translated instructions. */
    @Override
    public byte[] xlatedInsns() {
        return xlatedInsns.clone();
    }

    /** True when the JIT compiled it ({@code bpftool}'s {@code jited} size is shown). */
    public boolean isJited() {
        return jitedProgLen > 0;
    }

    /**
     * The mean run time, {@code run_time_ns / run_cnt}, or empty when no run was counted (statistics off, or the
     * program did not run).
     */
    public Optional<Double> averageRunTimeNs() {
        return runCnt == 0 ? Optional.empty() : Optional.of((double) runTimeNs / runCnt);
    }

    /**
     * The wall-clock load time as {@code bpftool} prints it ({@code loaded_at}): the boot time (now minus the
     * uptime in {@code /proc/uptime}) plus the load time since boot; to about 10 ms.
     */
    public Instant loadTime() {
        long nowMs = System.currentTimeMillis();
        return Instant.ofEpochMilli(nowMs).minusNanos(SystemInfo.uptimeNs()).plusNanos(loadTimeSinceBootNs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgramInfo p && id == p.id && typeNumber == p.typeNumber && name.equals(p.name)
                && tag.equals(p.tag) && loadTimeSinceBootNs == p.loadTimeSinceBootNs && createdByUid == p.createdByUid
                && xlatedProgLen == p.xlatedProgLen && jitedProgLen == p.jitedProgLen
                && Arrays.equals(mapIds, p.mapIds) && btfId == p.btfId && runCnt == p.runCnt
                && runTimeNs == p.runTimeNs && recursionMisses == p.recursionMisses
                && verifiedInsns == p.verifiedInsns && Arrays.equals(xlatedInsns, p.xlatedInsns);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id + tag.hashCode()) + Arrays.hashCode(mapIds);
    }

    /** One line in {@code bpftool prog show}'s words. */
    @Override
    public String toString() {
        return id + ": " + type().name().toLowerCase(java.util.Locale.ROOT) + "  name " + name + "  tag " + tag
                + "  xlated " + xlatedProgLen + "B" + (isJited() ? "  jited " + jitedProgLen + "B" : "  not jited")
                + "  map_ids " + Arrays.toString(mapIds) + "  btf_id " + btfId
                + (runCnt > 0 || runTimeNs > 0 ? "  run_time_ns " + runTimeNs + " run_cnt " + runCnt : "");
    }
}
