package dev.bpfunit.sys;

/**
 * The table of hints that turn a failed {@code bpf(2)} command's errno into advice: ordered rows of (which
 * commands, errno, hint), the first matching row winning, so an entry for a command comes before the general
 * entry for its errno. Verifier log messages have their own table, {@code dev.bpfunit.VerifierHints}.
 */
final class Hints {
    static final String NEEDS_PRIVILEGE = "needs root or CAP_BPF (CAP_NET_ADMIN/CAP_PERFMON for some program "
            + "types); run the tests as root or inside the kernel VM";
    static final String UNSUPPORTED = "this kernel does not support the operation for this map or program type "
            + "(too old, or the feature is not built in)";

    /** What a row's hint may use: the map the command acted on (may be null) and the command. */
    record Failure(BpfCommand command, MapInfo map) {
    }

    /**
     * One row: for a command that {@code commands} accepts and {@code errno}, the hint {@code hint} gives (an
     * empty hint ends the search with no advice).
     */
    record Row(java.util.function.Predicate<BpfCommand> commands, Errno errno,
               java.util.function.Function<Failure, String> hint) {
    }

    private static Row row(BpfCommand command, Errno errno, String hint) {
        return new Row(c -> c == command, errno, f -> hint);
    }

    private static Row row(java.util.function.Predicate<BpfCommand> commands, Errno errno, String hint) {
        return new Row(commands, errno, f -> hint);
    }

    private static Row any(Errno errno, String hint) {
        return new Row(c -> true, errno, f -> hint);
    }

    /** The rows in the order they are tried. */
    static final java.util.List<Row> ROWS = java.util.List.of(
            new Row(c -> true, Errno.EMFILE, f -> Hints.TOO_MANY_OPEN_FILES),
            new Row(c -> true, Errno.EPERM, f -> eperm(f.command())),
            new Row(Hints::isElemUpdate, Errno.E2BIG, f -> mapFull(f.map())),
            row(BpfCommand.BPF_MAP_CREATE, Errno.E2BIG, "key, value or max_entries too large for this map type, "
                    + "or this kernel does not know an attribute bpfunit set"),
            row(BpfCommand.BPF_PROG_LOAD, Errno.E2BIG, "program too large (over the instruction limit), or this "
                    + "kernel does not know an attribute bpfunit set"),
            any(Errno.E2BIG, "this kernel does not know an attribute bpfunit set (it is older than the feature)"),
            row(BpfCommand.BPF_MAP_CREATE, Errno.EINVAL, "the kernel rejected the map definition (check type, "
                    + "key/value sizes, max_entries and flags for this map type)"),
            row(BpfCommand.BPF_PROG_LOAD, Errno.EINVAL, "the kernel rejected the program (type, expected attach "
                    + "type, flags, BTF/func info or instructions); load it with log level 1 and read the log"),
            row(BpfCommand.BPF_BTF_LOAD, Errno.EINVAL, "the kernel rejected the BTF; load it with log level 1 and "
                    + "read the log"),
            row(BpfCommand.BPF_PROG_TEST_RUN, Errno.EINVAL, "the kernel rejected the test run (input too short or "
                    + "too long for the program type, ctx given where not supported, or bad flags/repeat)"),
            row(BpfCommand.BPF_LINK_CREATE, Errno.EINVAL, "the target does not exist (XDP reports a missing "
                    + "ifindex as EINVAL), or the program or attach type does not fit it"),
            row(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, Errno.EINVAL, "the program type does not fit this tracepoint"),
            row(c -> c == BpfCommand.BPF_OBJ_PIN || c == BpfCommand.BPF_OBJ_GET, Errno.EINVAL,
                    "bad path or file flags"),
            row(Hints::isElem, Errno.EINVAL, "key or value size does not match the map, or the flags are invalid "
                    + "for this map type (BPF_NOEXIST on an array, BPF_F_LOCK without a bpf_spin_lock)"),
            row(c -> c == BpfCommand.BPF_PROG_LOAD || c == BpfCommand.BPF_BTF_LOAD, Errno.ENOSPC,
                    "log buffer too small: raise the log size to at least logTrueSize()"),
            row(BpfCommand.BPF_PROG_TEST_RUN, Errno.ENOSPC, "output buffer too small: raise "
                    + "dataSizeOut/ctxSizeOut (the attr reports the size the kernel needed)"),
            row(c -> c == BpfCommand.BPF_MAP_LOOKUP_BATCH || c == BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH,
                    Errno.ENOSPC, "a hash bucket holds more elements than the batch count: raise the count"),
            row(BpfCommand.BPF_OBJ_GET, Errno.ENOENT, "nothing is pinned at that path"),
            row(BpfCommand.BPF_OBJ_PIN, Errno.ENOENT, "the directory to pin into does not exist"),
            row(c -> c == BpfCommand.BPF_PROG_GET_FD_BY_ID || c == BpfCommand.BPF_MAP_GET_FD_BY_ID
                    || c == BpfCommand.BPF_BTF_GET_FD_BY_ID || c == BpfCommand.BPF_LINK_GET_FD_BY_ID,
                    Errno.ENOENT, "no object has that id (it was freed)"),
            row(BpfCommand.BPF_MAP_UPDATE_ELEM, Errno.ENOENT, "no element with that key (BPF_EXIST was given)"),
            row(c -> c == BpfCommand.BPF_LINK_CREATE || c == BpfCommand.BPF_RAW_TRACEPOINT_OPEN, Errno.ENOENT,
                    "the attach target does not exist"),
            row(BpfCommand.BPF_OBJ_PIN, Errno.EEXIST, "a file already exists at that path; unpin (delete) it first"),
            row(Hints::isElemUpdate, Errno.EEXIST, "an element with that key already exists (BPF_NOEXIST was "
                    + "given)"),
            row(BpfCommand.BPF_PROG_LOAD, Errno.EACCES, "the verifier rejected the program; load it with log "
                    + "level 1 or 2 and read the log"),
            any(Errno.EACCES, "the object was opened or created read-only or write-only "
                    + "(BPF_F_RDONLY/BPF_F_WRONLY)"),
            any(Errno.EBADF, "the file descriptor is closed or is not a BPF object of the expected kind"),
            row(BpfCommand.BPF_PROG_TEST_RUN, Errno.ENOTSUPP, "BPF_PROG_TEST_RUN is not supported for this "
                    + "program type on this kernel"),
            row(BpfCommand.BPF_PROG_TEST_RUN, Errno.EOPNOTSUPP, "BPF_PROG_TEST_RUN is not supported for this "
                    + "program type on this kernel"),
            any(Errno.ENOTSUPP, UNSUPPORTED),
            any(Errno.EOPNOTSUPP, UNSUPPORTED),
            any(Errno.ENOSYS, "the kernel was built without bpf(2) (CONFIG_BPF_SYSCALL) or the command is too new "
                    + "for it"),
            any(Errno.ENOMEM, "out of kernel memory, or RLIMIT_MEMLOCK too low (kernels before 5.11 charge BPF "
                    + "objects to it: raise it with ulimit -l unlimited)"),
            any(Errno.EFAULT, "the kernel could not read or write a buffer bpfunit passed (a bpfunit bug: please "
                    + "report it)"),
            any(Errno.EBUSY, "the object is in use (e.g. a map being frozen while writable mmaps exist)"),
            row(BpfCommand.BPF_PROG_LOAD, Errno.EAGAIN, "the verifier was interrupted again and again; retry, or "
                    + "reduce the load on the machine"),
            any(Errno.EINTR, "interrupted by a signal"),
            row(BpfCommand.BPF_LINK_CREATE, Errno.ENODEV, "no network device has that ifindex"),
            row(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, Errno.ERANGE, "an info buffer was too small"),
            any(Errno.ELOOP, "the verifier gave up: the program is too complex (too many states or a loop it "
                    + "cannot bound)"));

    private Hints() {
    }

    /**
     * The hint for a failed {@code bpf(2)} command: the first row for its command and errno, or empty.
     *
     * @param map the map the command acted on, if known and the hint can use it (for max_entries)
     */
    /** The fix for EMFILE, which every BPF object costs several fds towards. */
    public static final String TOO_MANY_OPEN_FILES = dev.bpfunit.error.BpfException.TOO_MANY_OPEN_FILES;

    static String forBpf(BpfCommand command, int errnoNumber, MapInfo map) {
        Errno errno = Errno.of(errnoNumber);
        for (Row r : ROWS) {
            if (r.errno() == errno && r.commands().test(command)) {
                return r.hint().apply(new Failure(command, map));
            }
        }
        return "";
    }

    private static String mapFull(MapInfo map) {
        if (map == null) {
            return "map is full, or the array index is out of range";
        }
        if (BpfConstants.isArrayLike(map.type())) {
            return "array index out of range (max_entries " + Integer.toUnsignedString(map.maxEntries()) + ")";
        }
        return "map is full (max_entries " + Integer.toUnsignedString(map.maxEntries()) + ")";
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
