package dev.bpfunit.sys;

import com.sun.jna.Native;
import java.nio.file.Path;

/**
 * The root directory and working directory of the whole process ({@code chroot(2)}, {@code chdir(2)}: every thread
 * of a JVM shares them). The kernel-matrix guest's resident JVM, started before the guest mounts the host, moves into
 * the host's root with it once the guest has mounted it.
 */
public final class ProcessRoot {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }


    private ProcessRoot() {
    }

    /**
     * Binds the native calls {@link #change} makes now: the first native call of a JVM unpacks and loads JNA's library
     * (a temporary file, and seconds under an emulated CPU), which a JVM about to change its root wants done first.
     */
    public static void bindNativeCalls() {
        Libc.getpid();
    }

    /**
     * Makes {@code root} this process's root directory and {@code workingDir} (a path inside the new root) its working
     * directory. Relative paths the JVM resolves itself ({@code user.dir}) are not changed: give the directory the JVM
     * started in, at its path in the new root.
     *
     * @throws BpfSyscallException when either call fails (EPERM: chroot needs CAP_SYS_CHROOT)
     */
    public static void change(Path root, Path workingDir) {
        String rootPath = root.toAbsolutePath().normalize().toString();
        if (Libc.chroot(rootPath) != 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("chroot", errno, rootPath, errno == Errno.EPERM.number()
                    ? "changing the root directory needs CAP_SYS_CHROOT" : Hints.forSyscall(errno));
        }
        String dir = workingDir.toAbsolutePath().normalize().toString();
        if (Libc.chdir(dir) != 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("chdir", errno, dir + " (in the new root " + rootPath + ")",
                    "the working directory must exist under the new root");
        }
    }
}
