package dev.bpfunit.sys;

import com.sun.jna.Memory;
import java.util.Objects;

/**
 * The attributes of {@code BPF_PROG_LOAD}: the instructions and everything the verifier needs to load
 * them, plus the verifier log, which stays readable here after {@link Bpf#progLoad} returns or throws.
 *
 * <p>The log: with {@link #logLevel} above 0 the kernel writes its log into a buffer of
 * {@link #logSize} bytes ({@value #DEFAULT_LOG_SIZE} if never set); {@link #log()} reads it as text
 * and {@link #logTrueSize()} tells how big the buffer had to be (Linux 6.4 and later). With log level
 * 0 no buffer is passed, as the kernel requires.
 */
public final class ProgLoadAttr extends Attr implements AutoCloseable {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    static final int PROG_TYPE = 0;              // prog_type
    static final int INSN_CNT = 4;               // insn_cnt
    static final int INSNS = 8;                  // insns (u64 pointer)
    static final int LICENSE = 16;               // license (u64 pointer)
    static final int LOG_LEVEL = 24;             // log_level
    static final int LOG_SIZE = 28;              // log_size
    static final int LOG_BUF = 32;               // log_buf (u64 pointer)
    static final int KERN_VERSION = 40;          // kern_version
    static final int PROG_FLAGS = 44;            // prog_flags
    static final int PROG_NAME = 48;             // prog_name[BPF_OBJ_NAME_LEN]
    static final int PROG_IFINDEX = 64;          // prog_ifindex
    static final int EXPECTED_ATTACH_TYPE = 68;  // expected_attach_type
    static final int PROG_BTF_FD = 72;           // prog_btf_fd
    static final int FUNC_INFO_REC_SIZE = 76;    // func_info_rec_size
    static final int FUNC_INFO = 80;             // func_info (u64 pointer)
    static final int FUNC_INFO_CNT = 88;         // func_info_cnt
    static final int LINE_INFO_REC_SIZE = 92;    // line_info_rec_size
    static final int LINE_INFO = 96;             // line_info (u64 pointer)
    static final int LINE_INFO_CNT = 104;        // line_info_cnt
    static final int ATTACH_BTF_ID = 108;        // attach_btf_id
    static final int ATTACH_PROG_FD = 112;       // attach_prog_fd (union with attach_btf_obj_fd)
    static final int ATTACH_BTF_OBJ_FD = 112;    // attach_btf_obj_fd
    static final int CORE_RELO_CNT = 116;        // core_relo_cnt
    static final int FD_ARRAY = 120;             // fd_array (u64 pointer)
    static final int CORE_RELOS = 128;           // core_relos (u64 pointer)
    static final int CORE_RELO_REC_SIZE = 136;   // core_relo_rec_size
    static final int LOG_TRUE_SIZE = 140;        // log_true_size (written by Linux 6.4+)
    /** Ends after log_true_size, so that kernels that know it write it back. */
    static final int SIZE = 144;

    /** Bytes of the log buffer when a log level is set without {@link #logSize}. */
    public static final int DEFAULT_LOG_SIZE = 1 << 20;
    /** The kernel's smallest {@code log_size} (128 bytes); the one home of this limit. */
    public static final int MIN_LOG_SIZE = 128;
    /** The kernel's largest {@code log_size}, {@code UINT_MAX >> 2}; the one home of this limit. */
    public static final int MAX_LOG_SIZE = Integer.MAX_VALUE >>> 1;

    private String name = "";
    private int logLevel;
    private Memory logBuf;

    public ProgLoadAttr() {
        super(SIZE);
    }

    /** {@code prog_type}: one of {@code BpfConstants.BPF_PROG_TYPE_*}. */
    public ProgLoadAttr progType(int type) {
        u32(PROG_TYPE, type);
        return this;
    }

    /**
     * {@code insns} and {@code insn_cnt}: the encoded instructions, 8 bytes per slot (a 64-bit
     * immediate load takes two slots).
     */
    public ProgLoadAttr instructions(byte[] insns) {
        Objects.requireNonNull(insns, "insns");
        if (insns.length == 0 || insns.length % 8 != 0) {
            throw new IllegalArgumentException("instructions of " + describe() + " must be a non-empty multiple "
                    + "of 8 bytes (one slot per instruction), got " + insns.length + " bytes");
        }
        pointer(INSNS, nativeCopy(insns));
        u32(INSN_CNT, insns.length / 8);
        return this;
    }

    /** {@code license}, e.g. {@code "GPL"}; GPL-only helpers need a GPL-compatible one. */
    public ProgLoadAttr license(String license) {
        pointer(LICENSE, license == null ? null : cString(license));
        return this;
    }

    /** {@code log_level}: 0 none, 1 the verifier's decisions, 2 every instruction; 4 adds stats. */
    public ProgLoadAttr logLevel(int level) {
        requireNonNegative("logLevel", level);
        this.logLevel = level;
        return this;
    }

    /** {@code log_size} and {@code log_buf}: allocates a log buffer of this many bytes. */
    public ProgLoadAttr logSize(int size) {
        logBuf = logBuffer(size, describe());
        return this;
    }

    static Memory logBuffer(int size, String what) {
        if (size < MIN_LOG_SIZE || size > MAX_LOG_SIZE) {
            throw new IllegalArgumentException("log size of " + what + " must be between " + MIN_LOG_SIZE + " and "
                    + MAX_LOG_SIZE + " bytes (the kernel's limits), got " + size);
        }
        return Attr.logBuffer(size);
    }

    /** {@code kern_version}: checked by kernels before 5.0 for kprobe programs only. */
    public ProgLoadAttr kernVersion(int version) {
        u32(KERN_VERSION, version);
        return this;
    }

    /** {@code prog_flags}: {@code BPF_F_STRICT_ALIGNMENT}, {@code BPF_F_SLEEPABLE}, ... */
    public ProgLoadAttr progFlags(int flags) {
        u32(PROG_FLAGS, flags);
        return this;
    }

    /** {@code prog_name}: kept as given for messages, stored as {@link MapCreateAttr#mapName} says. */
    public ProgLoadAttr progName(String name) {
        this.name = name == null ? "" : name;
        objName(PROG_NAME, this.name);
        return this;
    }

    /** {@code prog_ifindex}: the device to offload to (0: none). */
    public ProgLoadAttr progIfindex(int ifindex) {
        u32(PROG_IFINDEX, ifindex);
        return this;
    }

    /** {@code expected_attach_type}: one of {@code enum bpf_attach_type}. */
    public ProgLoadAttr expectedAttachType(int type) {
        u32(EXPECTED_ATTACH_TYPE, type);
        return this;
    }

    /** {@code prog_btf_fd}: the BTF that func and line info refer to. */
    public ProgLoadAttr progBtfFd(Fd btf) {
        fd(PROG_BTF_FD, btf);
        return this;
    }

    /** {@code func_info_rec_size}, {@code func_info}, {@code func_info_cnt}. */
    public ProgLoadAttr funcInfo(int recSize, byte[] recs, int count) {
        records("funcInfo", recSize, recs, count);
        u32(FUNC_INFO_REC_SIZE, recSize);
        pointer(FUNC_INFO, nativeCopy(recs));
        u32(FUNC_INFO_CNT, count);
        return this;
    }

    /** {@code line_info_rec_size}, {@code line_info}, {@code line_info_cnt}. */
    public ProgLoadAttr lineInfo(int recSize, byte[] recs, int count) {
        records("lineInfo", recSize, recs, count);
        u32(LINE_INFO_REC_SIZE, recSize);
        pointer(LINE_INFO, nativeCopy(recs));
        u32(LINE_INFO_CNT, count);
        return this;
    }

    /** {@code core_relo_rec_size}, {@code core_relos}, {@code core_relo_cnt}: CO-RE done by the kernel. */
    public ProgLoadAttr coreRelos(int recSize, byte[] recs, int count) {
        records("coreRelos", recSize, recs, count);
        u32(CORE_RELO_REC_SIZE, recSize);
        pointer(CORE_RELOS, nativeCopy(recs));
        u32(CORE_RELO_CNT, count);
        return this;
    }

    private void records(String what, int recSize, byte[] recs, int count) {
        Objects.requireNonNull(recs, what);
        if (recSize <= 0 || count < 0 || (long) recSize * count != recs.length) {
            throw new IllegalArgumentException(what + " of " + describe() + ": " + count + " records of " + recSize
                    + " bytes need " + ((long) recSize * count) + " bytes, got " + recs.length);
        }
    }

    /** {@code attach_btf_id}: the kernel (or target program) BTF type to attach to. */
    public ProgLoadAttr attachBtfId(int id) {
        u32(ATTACH_BTF_ID, id);
        return this;
    }

    /** {@code attach_btf_obj_fd}: the module BTF holding {@link #attachBtfId} (0: vmlinux). */
    public ProgLoadAttr attachBtfObjFd(Fd btf) {
        fd(ATTACH_BTF_OBJ_FD, btf);
        return this;
    }

    /** {@code attach_prog_fd}: the program an fentry/fexit/freplace program attaches to. */
    public ProgLoadAttr attachProgFd(Fd prog) {
        fd(ATTACH_PROG_FD, prog);
        return this;
    }

    /**
     * {@code fd_array}: the fds that instructions refer to by index ({@code BPF_PSEUDO_MAP_IDX},
     * kfunc module BTFs). The caller keeps those fds open until the load returns.
     */
    public ProgLoadAttr fdArray(int[] fds) {
        Objects.requireNonNull(fds, "fds");
        Memory m = nativeBuffer(4L * fds.length);
        if (m != null) {
            m.write(0, fds, 0, fds.length);
        }
        pointer(FD_ARRAY, m);
        return this;
    }

    /** {@code fd_array} from the {@link Fd}s themselves, each held in use until the load returns. */
    public ProgLoadAttr fdArray(java.util.List<Fd> fds) {
        int[] raw = new int[fds.size() + 1];
        for (int i = 0; i < fds.size(); i++) {
            raw[i + 1] = fds.get(i).raw();
            guard(fds.get(i));
        }
        return fdArray(raw);
    }

    /** The program's name as given to {@link #progName}, {@code ""} if none. */
    public String name() {
        return name;
    }

    /** The verifier log as text (up to the first NUL), {@code ""} if no log was asked for. */
    public String log() {
        requireNotFreed();
        return text(logBuf);
    }

    /**
     * {@code log_true_size}: the buffer size the whole log needed, written by kernels 6.4 and later
     * (0 on older kernels or without a log).
     */
    public int logTrueSize() {
        return u32(LOG_TRUE_SIZE);
    }

    /** Writes the log fields just before a call: a buffer only with a level, as the kernel requires. */
    void prepareLog() {
        if (logLevel > 0 && logBuf == null) {
            logBuf = Attr.logBuffer(DEFAULT_LOG_SIZE);
        }
        u32(LOG_LEVEL, logLevel);
        if (logLevel > 0) {
            emptyText(logBuf);
            pointer(LOG_BUF, logBuf);
            u32(LOG_SIZE, (int) logBuf.size());
        } else {
            pointer(LOG_BUF, null);
            u32(LOG_SIZE, 0);
        }
        u32(LOG_TRUE_SIZE, 0);
    }

    /** {@code program '<name>'}, or {@code unnamed program}: the subject of messages and the Fd. */
    String describe() {
        return name.isEmpty() ? "unnamed program" : "program '" + name + "'";
    }

    /**
     * Frees the native memory this attr made (its copies and its log buffer) now; call it once the load's answer and
     * log have been read. The attr cannot be used afterwards.
     */
    @Override
    public void close() {
        freeNativeMemory(logBuf);
    }
}
