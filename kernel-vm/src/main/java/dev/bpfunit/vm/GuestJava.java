package dev.bpfunit.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines that start a JVM in a guest: the host's own {@code java} (visible in the guest over the read-only
 * root share) on a host classpath, with flags that suit the guest's CPU accelerator. This is how a test engine
 * runs the JUnit console launcher in a VM, one VM per kernel.
 */
public final class GuestJava {
    /**
     * Under TCG, C2 compiles cost more than they save in a test run, and one GC thread is plenty; and C1 compiling
     * what runs only a few hundred times costs about what it saves, so its thresholds are four times the default
     * (kernel-vm/README.md, <i>The guest JVM's start-up</i>: the first test 2–6 s sooner).
     */
    static final List<String> TCG_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-XX:CompileThresholdScaling=4");

    private GuestJava() {
    }

    /** The {@code java} executable of the running JVM. */
    public static Path currentJava() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new VmException("the running JVM has no executable " + java + "; give a JDK or JRE with bin/java");
        }
        return java;
    }

    /**
     * The flags a guest JVM gets unless told otherwise ({@link BpfKernels#JVM}): {@link #TCG_FLAGS} under TCG, none
     * under KVM.
     */
    public static List<String> flags(Accelerator accelerator) {
        return accelerator == Accelerator.TCG ? TCG_FLAGS : List.of();
    }

    /**
     * {@code java [TCG flags] [jvmArgs] -cp classpath mainClass args}, with the running JVM's {@code java}.
     *
     * @param accelerator the guest's accelerator ({@link Accelerator#detect(Path)}); TCG adds {@link #flags}
     */
    public static List<String> command(Accelerator accelerator, List<String> jvmArgs, String classpath,
                                       String mainClass, List<String> args) {
        return command(flags(accelerator), jvmArgs, classpath, mainClass, args);
    }

    /**
     * {@code java flags [jvmArgs] -cp classpath mainClass args}, with the running JVM's {@code java}.
     *
     * @param flags the flags that shape the JVM (compilers, GC), in place of {@link #flags(Accelerator)}
     */
    public static List<String> command(List<String> flags, List<String> jvmArgs, String classpath,
                                       String mainClass, List<String> args) {
        if (classpath.isBlank()) {
            throw new IllegalArgumentException("guest JVM classpath is empty; give the host classpath to run on");
        }
        List<String> command = new ArrayList<>();
        command.add(currentJava().toString());
        command.addAll(flags);
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return List.copyOf(command);
    }
}
