package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.BtfInfo;
import dev.bpfunit.sys.Fd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The kernel BTF a load relocates against and resolves kernel names in: the running kernel's vmlinux and module
 * BTF (default), or a BTF file given with {@link BpfObjectLoader#targetBtf(Path)}. Module BTF is read only when
 * needed, and module BTF fds (for module kfuncs and ksyms) are opened once and closed with the target.
 */
final class KernelTarget implements AutoCloseable {
    private static final Path SYS_KERNEL_BTF = Path.of("/sys/kernel/btf");

    /** A module's BTF, split from vmlinux. */
    record Module(String name, Btf btf) {
    }

    private final Btf vmlinux;
    private final String name;
    private final boolean running;
    private List<Module> modules;
    private final Map<String, Fd> moduleFds = new HashMap<>();

    private KernelTarget(Btf vmlinux, String name, boolean running) {
        this.vmlinux = vmlinux;
        this.name = name;
        this.running = running;
    }

    /** The running kernel: {@code /sys/kernel/btf/vmlinux} and its modules. */
    static KernelTarget runningKernel() {
        return new KernelTarget(Btf.vmlinux(), "this kernel", true);
    }

    /** Another kernel's BTF file (raw BTF or an ELF vmlinux with a .BTF section); no modules. */
    static KernelTarget file(Path file) {
        try {
            return new KernelTarget(Btf.read(file), file.toString(), false);
        } catch (dev.bpfunit.btf.BtfException e) {
            throw new dev.bpfunit.btf.BtfException("the target BTF (targetBtf): " + e.getMessage() + "; give a kernel's "
                    + "vmlinux BTF, raw (a copy of /sys/kernel/btf/vmlinux) or an ELF file with a .BTF section", e);
        }
    }

    /** vmlinux BTF (or the given file's). */
    Btf vmlinux() {
        return vmlinux;
    }

    /** How messages name it: {@code this kernel} or the file. */
    String name() {
        return name;
    }

    /** Where names are looked up, for messages: {@code /sys/kernel/btf/vmlinux} or the file. */
    String where() {
        return running ? SYS_KERNEL_BTF.resolve("vmlinux") + " and module BTF in " + SYS_KERNEL_BTF : name;
    }

    /** Whether this is the running kernel (so its kallsyms, config and BTF objects can be used). */
    boolean isRunningKernel() {
        return running;
    }

    /** Module BTFs, read from {@code /sys/kernel/btf} on first use; empty for a BTF file. */
    List<Module> modules() {
        if (modules == null) {
            modules = running ? readModules() : List.of();
        }
        return modules;
    }

    /** The module BTFs as a list that reads them only when first asked, for {@code CoreRelocator}. */
    List<Btf> lazyModuleBtfs() {
        return new AbstractList<>() {
            @Override
            public Btf get(int index) {
                return modules().get(index).btf();
            }

            @Override
            public int size() {
                return modules().size();
            }
        };
    }

    private List<Module> readModules() {
        if (!Files.isDirectory(SYS_KERNEL_BTF)) {
            return List.of();
        }
        List<Module> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(SYS_KERNEL_BTF)) {
            for (Path p : files.sorted().toList()) {
                String module = p.getFileName().toString();
                if (module.equals("vmlinux") || !Files.isRegularFile(p)) {
                    continue;
                }
                try {
                    out.add(new Module(module, Btf.parseLazily(Files.readAllBytes(p), vmlinux)));
                } catch (IOException | BpfException e) {
                    throw new BpfException("cannot read module BTF " + p + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new BpfException("cannot list " + SYS_KERNEL_BTF + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * An fd of the kernel's BTF object of module {@code module} (for {@code fd_array} and
     * {@code BPF_PSEUDO_BTF_ID}), found by walking the loaded BTF objects; opened once, closed with this target.
     */
    Fd moduleBtfFd(String module) {
        Fd fd = moduleFds.get(module);
        if (fd != null) {
            return fd;
        }
        int id = 0;
        while (true) {
            OptionalInt next = Bpf.btfGetNextId(id);
            if (next.isEmpty()) {
                throw new BpfException("the kernel has no loaded BTF object for module '" + module + "'");
            }
            id = next.getAsInt();
            Fd candidate;
            try {
                candidate = Bpf.btfGetFdById(id, "BTF of module " + module);
            } catch (BpfSyscallException e) {
                continue; // unloaded meanwhile
            }
            BtfInfo info = Bpf.btfInfo(candidate);
            if (info.kernelBtf() && info.name().equals(module)) {
                moduleFds.put(module, candidate);
                return candidate;
            }
            candidate.close();
        }
    }

    @Override
    public void close() {
        moduleFds.values().forEach(Fd::close);
        moduleFds.clear();
    }
}
