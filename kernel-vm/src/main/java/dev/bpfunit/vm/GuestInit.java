package dev.bpfunit.vm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The guest side of a kernel VM: the initramfs with a static busybox, the kernel modules the guest needs and
 * the {@code /init} script (resource {@code init.sh}) that mounts the host and runs the command.
 */
final class GuestInit {
    /** Printed by {@code /init} right before the command starts; never shown to the user. */
    static final String START_MARKER = "bpfunit-vm: ---- command starts ----";
    /** The modules that give the guest virtio-pci and 9p over virtio (with their dependencies). */
    static final List<String> REQUIRED_MODULES = List.of("virtio_pci", "9pnet_virtio", "9p");
    static final int MSIZE = 512000; // the most QEMU's virtio transport takes
    /**
     * Modules the live-kernel fixtures need and Debian builds as modules, loaded into a test guest when the kernel
     * has them (a kernel without one simply lacks that feature, and the tests that need it say so): veth pairs,
     * the clsact qdisc and the tc BPF classifier (tc programs before TCX, 6.6).
     */
    static final List<String> FIXTURE_MODULES = List.of("veth", "sch_ingress", "cls_bpf");

    private GuestInit() {
    }

    /**
     * The initramfs for {@code kernel}: busybox, {@code /init}, {@code /dev/console} and the required modules
     * plus {@code extraModules} (loaded in dependency order).
     *
     * @param rootCache the 9p cache mode of the read-only host root ({@code loose} or {@code none})
     */
    static Initramfs initramfs(KernelImage kernel, Path busybox, List<String> extraModules, String rootCache) {
        return initramfs(kernel, busybox, extraModules, rootCache, Optional.empty());
    }

    /**
     * The initramfs, with {@code residentStart} as the {@link ResidentJvm}'s start script when given (it runs only
     * when the JVM's layer follows this archive).
     */
    static Initramfs initramfs(KernelImage kernel, Path busybox, List<String> extraModules, String rootCache,
                               Optional<String> residentStart) {
        requireStaticBusybox(busybox);
        List<KernelModules.Module> modules = List.of();
        if (kernel.modulesDir().isPresent()) {
            List<String> wanted = new ArrayList<>(REQUIRED_MODULES);
            wanted.addAll(extraModules);
            modules = KernelModules.scan(kernel.modulesDir().get()).resolve(wanted);
        } else if (!extraModules.isEmpty()) {
            throw new VmException("extra kernel modules " + extraModules + " were asked for, but " + kernel
                    + " has no modules directory; give one with KernelImage.of(vmlinuz, modulesDir)");
        }
        Initramfs.Builder builder = Initramfs.builder()
                .file("bin/busybox", busybox, 0755)
                .charDevice("dev/console", 5, 1, 0600)
                .directory("proc").directory("sys").directory("newroot").directory("sbin")
                .directory("modules");
        List<String> names = new ArrayList<>();
        for (KernelModules.Module module : modules) {
            builder.file("modules/" + module.name() + ".ko", module.elf(), 0644);
            names.add(module.name());
        }
        String init = initScript()
                .replace("@MODULES@", String.join(" ", names))
                .replace("@MSIZE@", Integer.toString(MSIZE))
                .replace("@ROOT_CACHE@", rootCache)
                .replace("@START_MARKER@", START_MARKER)
                .replace("@READY_MARKER@", VmSnapshots.READY_MARKER)
                .replace("@RESIDENT_LAYER@", GuestLayer.MARKER)
                .replace("@RESIDENT_START@", ResidentJvm.START)
                .replace("@RESIDENT_READY@", ResidentJvm.READY)
                .replace("@RESIDENT_REQUEST@", ResidentJvm.REQUEST)
                .replace("@RESIDENT_HAND_OFF@", ResidentJvm.HAND_OFF)
                .replace("@RESIDENT_FAILED@", ResidentJvm.FAILED)
                .replace("@RESIDENT_BINDS@", GuestLayer.BINDS);
        residentStart.ifPresent(script -> builder.file(ResidentJvm.START, script.getBytes(StandardCharsets.UTF_8),
                0755));
        return builder.file("init", init.getBytes(StandardCharsets.UTF_8), 0755).build();
    }

    /** The {@link #FIXTURE_MODULES} this kernel has (none when it comes without a modules directory). */
    static List<String> fixtureModules(KernelImage kernel) {
        if (kernel.modulesDir().isEmpty()) {
            return List.of();
        }
        KernelModules modules = KernelModules.scan(kernel.modulesDir().get());
        return FIXTURE_MODULES.stream().filter(modules::has).toList();
    }

    static String initScript() {
        try (InputStream in = GuestInit.class.getResourceAsStream("init.sh")) {
            if (in == null) {
                throw new VmException("resource dev/bpfunit/vm/init.sh is missing from the bpfunit-kernel-vm jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VmException("cannot read resource init.sh: " + e.getMessage(), e);
        }
    }

    /** Fails unless {@code busybox} is a statically linked x86-64 ELF executable (no PT_INTERP). */
    static void requireStaticBusybox(Path busybox) {
        String fix = "; install the Debian package busybox-static or give a static busybox";
        byte[] elf;
        try {
            elf = Files.readAllBytes(busybox);
        } catch (IOException e) {
            throw new VmException("cannot read busybox " + busybox + ": " + e.getMessage() + fix, e);
        }
        if (elf.length < 64 || ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getShort(0x12) != 0x3e) {
            throw new VmException("busybox " + busybox + " is not an x86-64 ELF executable" + fix);
        }
        Optional<String> interpreter;
        try {
            interpreter = GuestLayer.interpreter(elf);
        } catch (IllegalArgumentException e) {
            throw new VmException("busybox " + busybox + " is not a valid x86-64 ELF executable (" + e.getMessage()
                    + ")" + fix, e);
        }
        if (interpreter.isPresent()) {
            throw new VmException("busybox " + busybox + " is dynamically linked and cannot run from the"
                    + " initramfs" + fix);
        }
    }
}
