package dev.bpfunit.sys;

/**
 * The common head of {@code struct bpf_link_info}: what {@code bpftool link show} lists first.
 *
 * @param type the {@code BPF_LINK_TYPE_*}
 * @param id the link's system-wide id
 * @param progId the id of the attached program
 */
public record LinkInfo(int type, int id, int progId) {
    static final int TYPE = 0;     // type
    static final int ID = 4;       // id
    static final int PROG_ID = 8;  // prog_id
    /** Only the head is asked for: the kernel copies no more than the buffer holds. */
    static final int SIZE = 16;
}
