package dev.bpfunit.sys;

import com.sun.jna.Memory;
import java.util.Objects;

/**
 * The attributes of {@code BPF_BTF_LOAD}: raw BTF bytes plus the kernel's BTF log, which stays
 * readable here after {@link Bpf#btfLoad} returns or throws. The log works as in {@link ProgLoadAttr}.
 */
public final class BtfLoadAttr extends Attr implements AutoCloseable {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    static final int BTF = 0;                 // btf (u64 pointer)
    static final int BTF_LOG_BUF = 8;         // btf_log_buf (u64 pointer)
    static final int BTF_SIZE = 16;           // btf_size
    static final int BTF_LOG_SIZE = 20;       // btf_log_size
    static final int BTF_LOG_LEVEL = 24;      // btf_log_level
    static final int BTF_LOG_TRUE_SIZE = 28;  // btf_log_true_size (written by Linux 6.4+)
    /** Ends after btf_log_true_size. */
    static final int SIZE = 32;

    private int logLevel;
    private Memory logBuf;

    public BtfLoadAttr() {
        super(SIZE);
    }

    /** {@code btf} and {@code btf_size}: the raw BTF blob (header, types, strings). */
    public BtfLoadAttr btf(byte[] btf) {
        Objects.requireNonNull(btf, "btf");
        if (btf.length == 0) {
            throw new IllegalArgumentException("BTF blob is empty");
        }
        pointer(BTF, nativeCopy(btf));
        u32(BTF_SIZE, btf.length);
        return this;
    }

    /** {@code btf_log_level}: 0 none, 1 errors, 2 everything. */
    public BtfLoadAttr logLevel(int level) {
        requireNonNegative("logLevel", level);
        this.logLevel = level;
        return this;
    }

    /** {@code btf_log_size} and {@code btf_log_buf}: allocates a log buffer of this many bytes. */
    public BtfLoadAttr logSize(int size) {
        logBuf = ProgLoadAttr.logBuffer(size, "BTF");
        return this;
    }

    /** The BTF log as text, {@code ""} if no log was asked for. */
    public String log() {
        requireNotFreed();
        return text(logBuf);
    }

    /** {@code btf_log_true_size}: the buffer size the whole log needed (Linux 6.4+, else 0). */
    public int logTrueSize() {
        return u32(BTF_LOG_TRUE_SIZE);
    }

    void prepareLog() {
        if (logLevel > 0 && logBuf == null) {
            logBuf = Attr.logBuffer(ProgLoadAttr.DEFAULT_LOG_SIZE);
        }
        u32(BTF_LOG_LEVEL, logLevel);
        if (logLevel > 0) {
            emptyText(logBuf);
            pointer(BTF_LOG_BUF, logBuf);
            u32(BTF_LOG_SIZE, (int) logBuf.size());
        } else {
            pointer(BTF_LOG_BUF, null);
            u32(BTF_LOG_SIZE, 0);
        }
        u32(BTF_LOG_TRUE_SIZE, 0);
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
