package dev.bpfunit.sys;

import java.util.Arrays;

/**
 * What the kernel says about a loaded program ({@code struct bpf_prog_info}), including the ids of
 * the maps it uses and its instructions as the verifier rewrote them.
 *
 * @param type the {@code BPF_PROG_TYPE_*}
 * @param id the program's system-wide id
 * @param tag the program tag (a hash of its instructions) as 16 lowercase hex digits
 * @param name the name as the kernel stores it
 * @param jitedProgLen bytes of JITed code
 * @param xlatedProgLen bytes of the rewritten (translated) instructions
 * @param btfId id of the program's BTF, 0 if none
 * @param mapIds ids of the maps the program uses
 * @param loadTime when it was loaded, in nanoseconds since boot
 * @param createdByUid the uid that loaded it
 * @param runTimeNs total run time while {@code kernel.bpf_stats_enabled} was on
 * @param runCnt runs counted while {@code kernel.bpf_stats_enabled} was on
 * @param recursionMisses runs skipped because of recursion
 * @param verifiedInsns instructions the verifier processed (Linux 5.16)
 * @param xlatedInsns the translated instructions, 8 bytes per slot; empty when the kernel withholds
 *     them ({@code kernel.kptr_restrict}, no CAP_SYS_ADMIN/CAP_PERFMON)
 */
public record ProgInfo(int type, int id, String tag, String name, int jitedProgLen, int xlatedProgLen, int btfId,
        int[] mapIds, long loadTime, int createdByUid, long runTimeNs, long runCnt, long recursionMisses,
        int verifiedInsns, byte[] xlatedInsns) {

    static final int TYPE = 0;                 // type
    static final int ID = 4;                   // id
    static final int TAG = 8;                  // tag[BPF_TAG_SIZE]
    static final int JITED_PROG_LEN = 16;      // jited_prog_len
    static final int XLATED_PROG_LEN = 20;     // xlated_prog_len
    static final int XLATED_PROG_INSNS = 32;   // xlated_prog_insns (u64 pointer)
    static final int LOAD_TIME = 40;           // load_time (u64)
    static final int CREATED_BY_UID = 48;      // created_by_uid
    static final int NR_MAP_IDS = 52;          // nr_map_ids
    static final int MAP_IDS = 56;             // map_ids (u64 pointer)
    static final int NAME = 64;                // name[BPF_OBJ_NAME_LEN]
    static final int BTF_ID = 128;             // btf_id
    static final int NR_LINE_INFO = 148;       // nr_line_info
    static final int LINE_INFO = 152;          // line_info (u64 pointer)
    static final int LINE_INFO_REC_SIZE = 172; // line_info_rec_size
    static final int RUN_TIME_NS = 192;        // run_time_ns (u64)
    static final int RUN_CNT = 200;            // run_cnt (u64)
    static final int RECURSION_MISSES = 208;   // recursion_misses (u64)
    static final int VERIFIED_INSNS = 216;     // verified_insns
    /** The whole struct as of Linux 6.18 (attach_btf_id ends at 228, padded to 232). */
    static final int SIZE = 232;
    static final int TAG_SIZE = 8;

    public ProgInfo {
        mapIds = mapIds.clone();
        xlatedInsns = xlatedInsns.clone();
    }

    /** The number of maps the program uses ({@code nr_map_ids}). */
    public int nrMapIds() {
        return mapIds.length;
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

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgInfo p && type == p.type && id == p.id && tag.equals(p.tag) && name.equals(p.name)
                && jitedProgLen == p.jitedProgLen && xlatedProgLen == p.xlatedProgLen && btfId == p.btfId
                && Arrays.equals(mapIds, p.mapIds) && loadTime == p.loadTime && createdByUid == p.createdByUid
                && runTimeNs == p.runTimeNs && runCnt == p.runCnt && recursionMisses == p.recursionMisses
                && verifiedInsns == p.verifiedInsns && Arrays.equals(xlatedInsns, p.xlatedInsns);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id + tag.hashCode()) + Arrays.hashCode(mapIds);
    }

    @Override
    public String toString() {
        return "ProgInfo[type=" + type + ", id=" + id + ", tag=" + tag + ", name=" + name + ", jitedProgLen="
                + jitedProgLen + ", xlatedProgLen=" + xlatedProgLen + ", btfId=" + btfId + ", mapIds="
                + Arrays.toString(mapIds) + ", runTimeNs=" + runTimeNs + ", runCnt=" + runCnt + ", verifiedInsns="
                + verifiedInsns + "]";
    }
}
