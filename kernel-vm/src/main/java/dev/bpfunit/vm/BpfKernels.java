package dev.bpfunit.vm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class on other kernels too: the kernel-matrix test engine ({@value #ENGINE_ID}) boots one VM per
 * kernel, runs every class meant for that kernel in it and reports each test as {@code [kernel 6.1] Class > test}.
 *
 * <pre>{@code
 * @BpfTest("bpf/xdp_fw.bpf.o")
 * @BpfKernels({"6.1", "6.12", "container"})
 * class XdpFirewallTest { ... }
 * }</pre>
 *
 * <p>Without values, the class takes part whenever {@link #KERNELS} is set, like every {@code @BpfTest} class.
 * The class still runs natively (in the JUnit Jupiter engine) as well.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface BpfKernels {

    /** The id of the kernel-matrix test engine, for {@code includeEngines} / Surefire's {@code includeJUnit5Engines}. */
    String ENGINE_ID = "bpfunit-kernels";

    /**
     * Configuration parameter (or system property): the kernels every selected {@code @BpfTest} class (and every
     * class annotated {@code @BpfKernels} without values) runs on, comma-separated. Each is a Debian kernel version
     * ({@code 6.1}, {@code 6.12}, {@code 6.1.0-56-amd64}), a path to a {@code vmlinuz}, or {@code container} (a
     * privileged container on the host's kernel). Default: not set, no matrix.
     */
    String KERNELS = "bpfunit.kernels";

    /**
     * Configuration parameter: which selected classes the matrix runs: {@code annotated} ({@code @BpfTest} or
     * {@code @BpfKernels}) or {@code all} (every class the other engines discover, e.g. a whole suite of plain
     * JUnit tests that use bpfunit's API). Default: {@code annotated}.
     */
    String CLASSES = "bpfunit.kernels.classes";

    /**
     * Configuration parameter: when this JVM cannot use BPF (no CAP_BPF), run the {@code @BpfTest} classes on this
     * kernel instead (a value as in {@link #KERNELS}, e.g. {@code 6.12} or {@code container}); natively they are
     * then skipped saying so. Ignored when {@link #KERNELS} is set or BPF works here. Default: not set.
     */
    String FALLBACK = dev.bpfunit.junit.BpfTest.FALLBACK;

    /** Configuration parameter: the longest one kernel's whole run (boot and all its classes) may take. Default: {@code 30m}. */
    String TIMEOUT = "bpfunit.kernels.timeout";

    /** Configuration parameter: each VM's memory, like QEMU's {@code -m}. Default: {@code 2G}. */
    String MEMORY = "bpfunit.kernels.memory";

    /**
     * Configuration parameter: the directory for each kernel's run files (request, event stream, verifier logs),
     * as {@code <dir>/<kernel>/}. Default: {@code target/bpfunit-kernels}.
     */
    String DIR = "bpfunit.kernels.dir";

    /**
     * Configuration parameter: how many kernels of the matrix run at once: a number, or {@code auto} (the default):
     * as many as the host's cores and available memory allow without oversubscribing them, counting
     * {@link #CPUS} cores per guest (and one per container).
     */
    String PARALLEL = "bpfunit.kernels.parallel";

    /**
     * Configuration parameter: each VM's CPUs (QEMU {@code -smp}, multi-threaded TCG): a number, or {@code auto}
     * (the default): the host's cores shared among the guests that run at once, at least one each.
     */
    String CPUS = "bpfunit.kernels.cpus";

    /** Configuration parameter: {@code true} copies each guest's console to standard output as it comes. Default: {@code false}. */
    String VERBOSE = "bpfunit.kernels.verbose";

    /**
     * Configuration parameter: whether a saved VM guest (under TCG, where guests are saved) holds its launcher JVM,
     * started and warmed up before the save, and hands that JVM the run when restored ({@code ResidentJvm}): the first
     * test comes about 5 s sooner, but saving the guest with it takes 20-25 s more and about 600 MB of disk instead of
     * 110 MB. {@code auto} (the default): from a machine's second run on (its first saves the guest without the JVM;
     * the run that restores that snapshot saves it again with the JVM), so a run whose cache is not kept (a CI job's)
     * never pays for it. {@code true}: from the first run. {@code false}: never, a JVM started for each run.
     */
    String RESIDENT = "bpfunit.kernels.resident";

    /**
     * Configuration parameter: {@code false} runs each guest JVM without the application class-data archive the
     * host dumps for it before the guests start ({@code GuestCds}, cached under {@code <dir>/cds}). Default:
     * {@code true}.
     */
    String CDS = "bpfunit.kernels.cds";

    /**
     * Configuration parameter: {@code true} keeps the JUnit Platform's Flight Recorder listeners in the guests' JVMs.
     * JUnit 6 registers them whenever {@code jdk.jfr} is present, and their first event makes the JVM initialise
     * JFR's event metadata and generate its event handlers, seconds of a guest's start under TCG; left out, no JFR
     * event of JUnit's is ever recorded there. Default: {@code false}.
     */
    String JFR = "bpfunit.kernels.jfr";

    /**
     * Configuration parameter: the VM guests' JVM flags, separated by spaces, in place of the default ones (under TCG
     * {@code GuestJava.TCG_FLAGS}; none under KVM); the class-data archive is dumped with the same flags. Default:
     * the default flags.
     */
    String JVM = "bpfunit.kernels.jvm";

    /** The kernels this class runs on (values as in {@link #KERNELS}); empty: those of {@link #KERNELS}. */
    String[] value() default {};
}
