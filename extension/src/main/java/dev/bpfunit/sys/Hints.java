package dev.bpfunit.sys;

/**
 * The one table of hints that turn an errno into advice: what a failed command most likely means and
 * what to do about it. Keyed by command and errno; an entry for a command comes before the general
 * entry for its errno.
 */
final class Hints {
    static final String NEEDS_PRIVILEGE = "needs root or CAP_BPF (CAP_NET_ADMIN/CAP_PERFMON for some program "
            + "types); run the tests as root or inside the kernel VM";
    static final String UNSUPPORTED = "this kernel does not support the operation for this map or program type "
            + "(too old, or the feature is not built in)";

    private Hints() {
    }

    /**
     * The hint for a failed {@code bpf(2)} command.
     *
     * @param map the map the command acted on, if known and the hint can use it (for max_entries)
     */
    /** The fix for EMFILE, which every BPF object costs several fds towards. */
    public static final String TOO_MANY_OPEN_FILES = "this process has too many open files (its limit, ulimit -n, "
            + "is reached): close the BpfObjects you no longer need (try-with-resources; @BpfTest closes its own), "
            + "or raise the limit (ulimit -n 65536 in the shell that starts the JVM)";

    static String forBpf(BpfCommand command, int errnoNumber, MapInfo map) {
        Errno errno = Errno.of(errnoNumber);
        switch (errno) {
            case EMFILE:
                return TOO_MANY_OPEN_FILES;
            case EPERM:
                return eperm(command);
            case E2BIG:
                return e2big(command, map);
            case EINVAL:
                return einval(command);
            case ENOSPC:
                return enospc(command);
            case ENOENT:
                return enoent(command);
            case EEXIST:
                if (command == BpfCommand.BPF_OBJ_PIN) {
                    return "a file already exists at that path; unpin (delete) it first";
                }
                return isElemUpdate(command) ? "an element with that key already exists (BPF_NOEXIST was given)" : "";
            case EACCES:
                if (command == BpfCommand.BPF_PROG_LOAD) {
                    return "the verifier rejected the program; load it with log level 1 or 2 and read the log";
                }
                return "the object was opened or created read-only or write-only (BPF_F_RDONLY/BPF_F_WRONLY)";
            case EBADF:
                return "the file descriptor is closed or is not a BPF object of the expected kind";
            case ENOTSUPP:
            case EOPNOTSUPP:
                if (command == BpfCommand.BPF_PROG_TEST_RUN) {
                    return "BPF_PROG_TEST_RUN is not supported for this program type on this kernel";
                }
                return UNSUPPORTED;
            case ENOSYS:
                return "the kernel was built without bpf(2) (CONFIG_BPF_SYSCALL) or the command is too new for it";
            case ENOMEM:
                return "out of kernel memory, or RLIMIT_MEMLOCK too low (kernels before 5.11 charge BPF objects "
                        + "to it: raise it with ulimit -l unlimited)";
            case EFAULT:
                return "the kernel could not read or write a buffer bpfunit passed (a bpfunit bug: please report it)";
            case EBUSY:
                return "the object is in use (e.g. a map being frozen while writable mmaps exist)";
            case EAGAIN:
                return command == BpfCommand.BPF_PROG_LOAD
                        ? "the verifier was interrupted again and again; retry, or reduce the load on the machine"
                        : "";
            case EINTR:
                return "interrupted by a signal";
            case ENODEV:
                return command == BpfCommand.BPF_LINK_CREATE ? "no network device has that ifindex" : "";
            case ERANGE:
                return command == BpfCommand.BPF_OBJ_GET_INFO_BY_FD ? "an info buffer was too small" : "";
            case ELOOP:
                return "the verifier gave up: the program is too complex (too many states or a loop it cannot "
                        + "bound)";
            default:
                return "";
        }
    }

    private static String eperm(BpfCommand command) {
        boolean privileged = SystemInfo.hasCapBpf();
        if (isElemWrite(command) || command == BpfCommand.BPF_MAP_FREEZE) {
            return privileged
                    ? "the map is read-only from user space: it was frozen (BPF_MAP_FREEZE, as .rodata is "
                            + "after loading) or created with BPF_F_RDONLY"
                    : NEEDS_PRIVILEGE;
        }
        if (command == BpfCommand.BPF_OBJ_PIN || command == BpfCommand.BPF_OBJ_GET) {
            return privileged
                    ? "the path is not inside a BPF filesystem; mount one with 'mount -t bpf bpf /sys/fs/bpf'"
                    : NEEDS_PRIVILEGE;
        }
        if (privileged) {
            return "refused although this process has CAP_BPF/CAP_SYS_ADMIN: the kernel may be locked down, "
                    + "or (before 5.11) RLIMIT_MEMLOCK is too low";
        }
        return NEEDS_PRIVILEGE;
    }

    private static String e2big(BpfCommand command, MapInfo map) {
        switch (command) {
            case BPF_MAP_UPDATE_ELEM:
            case BPF_MAP_UPDATE_BATCH:
                if (map == null) {
                    return "map is full, or the array index is out of range";
                }
                if (BpfConstants.isArrayLike(map.type())) {
                    return "array index out of range (max_entries " + Integer.toUnsignedString(map.maxEntries())
                            + ")";
                }
                return "map is full (max_entries " + Integer.toUnsignedString(map.maxEntries()) + ")";
            case BPF_MAP_CREATE:
                return "key, value or max_entries too large for this map type, or this kernel does not know "
                        + "an attribute bpfunit set";
            case BPF_PROG_LOAD:
                return "program too large (over the instruction limit), or this kernel does not know an "
                        + "attribute bpfunit set";
            default:
                return "this kernel does not know an attribute bpfunit set (it is older than the feature)";
        }
    }

    private static String einval(BpfCommand command) {
        switch (command) {
            case BPF_MAP_CREATE:
                return "the kernel rejected the map definition (check type, key/value sizes, max_entries and "
                        + "flags for this map type)";
            case BPF_PROG_LOAD:
                return "the kernel rejected the program (type, expected attach type, flags, BTF/func info or "
                        + "instructions); load it with log level 1 and read the log";
            case BPF_BTF_LOAD:
                return "the kernel rejected the BTF; load it with log level 1 and read the log";
            case BPF_PROG_TEST_RUN:
                return "the kernel rejected the test run (input too short or too long for the program type, "
                        + "ctx given where not supported, or bad flags/repeat)";
            case BPF_LINK_CREATE:
                return "the target does not exist (XDP reports a missing ifindex as EINVAL), or the program or "
                        + "attach type does not fit it";
            case BPF_RAW_TRACEPOINT_OPEN:
                return "the program type does not fit this tracepoint";
            case BPF_OBJ_PIN:
            case BPF_OBJ_GET:
                return "bad path or file flags";
            default:
                if (isElem(command)) {
                    return "key or value size does not match the map, or the flags are invalid for this map "
                            + "type (BPF_NOEXIST on an array, BPF_F_LOCK without a bpf_spin_lock)";
                }
                return "";
        }
    }

    private static String enospc(BpfCommand command) {
        switch (command) {
            case BPF_PROG_LOAD:
            case BPF_BTF_LOAD:
                return "log buffer too small: raise the log size to at least logTrueSize()";
            case BPF_PROG_TEST_RUN:
                return "output buffer too small: raise dataSizeOut/ctxSizeOut (the attr reports the size the "
                        + "kernel needed)";
            case BPF_MAP_LOOKUP_BATCH:
            case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
                return "a hash bucket holds more elements than the batch count: raise the count";
            default:
                return "";
        }
    }

    private static String enoent(BpfCommand command) {
        switch (command) {
            case BPF_OBJ_GET:
                return "nothing is pinned at that path";
            case BPF_OBJ_PIN:
                return "the directory to pin into does not exist";
            case BPF_PROG_GET_FD_BY_ID:
            case BPF_MAP_GET_FD_BY_ID:
            case BPF_BTF_GET_FD_BY_ID:
            case BPF_LINK_GET_FD_BY_ID:
                return "no object has that id (it was freed)";
            case BPF_MAP_UPDATE_ELEM:
                return "no element with that key (BPF_EXIST was given)";
            case BPF_LINK_CREATE:
            case BPF_RAW_TRACEPOINT_OPEN:
                return "the attach target does not exist";
            default:
                return "";
        }
    }

    /** The hint for a failed {@code fcntl}/{@code close}-style call on a descriptor. */
    static String forSyscall(int errnoNumber) {
        switch (Errno.of(errnoNumber)) {
            case EBADF:
                return "the file descriptor is closed";
            case EMFILE:
                return TOO_MANY_OPEN_FILES;
            case ENFILE:
                return "the system has too many open files";
            default:
                return "";
        }
    }

    /** The hint for a failed {@code mmap} of a map. */
    static String forMmap(int errnoNumber, boolean writable) {
        switch (Errno.of(errnoNumber)) {
            case EPERM:
                return writable ? "the map is frozen or read-only for user space; map it read-only" : "";
            case EACCES:
                return writable ? "the map was created with BPF_F_RDONLY; map it read-only" : "";
            case EINVAL:
                return "the map is not mmap-able (only arrays created with BPF_F_MMAPABLE, ring buffers and "
                        + "arenas are) or the size exceeds the map";
            case ENODEV:
                return "the map type does not support mmap";
            case ENOMEM:
                return "out of address space or memory";
            default:
                return "";
        }
    }

    private static boolean isElem(BpfCommand command) {
        switch (command) {
            case BPF_MAP_LOOKUP_ELEM:
            case BPF_MAP_UPDATE_ELEM:
            case BPF_MAP_DELETE_ELEM:
            case BPF_MAP_GET_NEXT_KEY:
            case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
            case BPF_MAP_LOOKUP_BATCH:
            case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
            case BPF_MAP_UPDATE_BATCH:
            case BPF_MAP_DELETE_BATCH:
                return true;
            default:
                return false;
        }
    }

    private static boolean isElemUpdate(BpfCommand command) {
        return command == BpfCommand.BPF_MAP_UPDATE_ELEM || command == BpfCommand.BPF_MAP_UPDATE_BATCH;
    }

    private static boolean isElemWrite(BpfCommand command) {
        switch (command) {
            case BPF_MAP_UPDATE_ELEM:
            case BPF_MAP_DELETE_ELEM:
            case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
            case BPF_MAP_UPDATE_BATCH:
            case BPF_MAP_DELETE_BATCH:
            case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
                return true;
            default:
                return false;
        }
    }
}
