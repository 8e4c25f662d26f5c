package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class (or one test method) that loads BPF objects into the kernel and has their objects,
 * programs, maps and global variables injected into fields and parameters of type {@code BpfObject},
 * {@code BpfProgram}, {@code BpfMap} and {@code Globals} (and {@code BpfObjectLoader}, to load them yourself).
 *
 * <pre>{@code
 * @BpfTest(value = "bpf/xdp_fw.bpf.o", globals = @Global(name = "blocked_port", value = "53"))
 * class XdpFirewallTest {
 *     @Program("xdp_fw") BpfProgram fw;        // fresh for every test
 *     @Map("blocklist") BpfMap blocklist;
 *     static BpfObject shared;                 // loaded once for the class
 * }
 * }</pre>
 *
 * <p>Each object name is looked up on the test classpath (as given, then with {@code .bpf.o} appended),
 * then under the directory of {@link #OBJECTS_DIR}, then as a file path. Static fields are injected once
 * for the class, from objects loaded for the class; instance fields and parameters of test methods get
 * objects loaded fresh for each test, so tests never see each other's map contents. Everything is closed
 * when its scope ends, whatever happened.
 *
 * <p>Without CAP_BPF (or a kernel that can do BPF) the tests are aborted (skipped) with a reason, unless
 * {@link #REQUIRE} is {@code true}, which makes that a failure, or {@link #FALLBACK} names a VM kernel or
 * a container to run them in instead. A program the verifier rejects fails the
 * test with the verifier's summary; the whole log is written to {@link #LOG_DIR} and published as a report
 * entry.
 *
 * <p>On a method, this annotation replaces the class's for that method's instance fields and parameters.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(BpfExtension.class)
public @interface BpfTest {

    /**
     * Configuration parameter (or system property) naming a directory searched for objects not found on
     * the test classpath. Default: not set.
     */
    String OBJECTS_DIR = "bpfunit.objects.dir";

    /**
     * Configuration parameter (or system property): {@code true} turns "this process cannot use BPF" from
     * an aborted (skipped) test into a failure, so that a CI cannot pass by skipping everything. Default:
     * {@code false}.
     */
    String REQUIRE = "bpfunit.require";

    /**
     * Configuration parameter (or system property): the directory verifier logs are written to, as
     * {@code <dir>/<test class>/<method>-<program>.log}, where an invocation of a parameterized or repeated test
     * adds its index to the method name ({@code <method>[2]-<program>.log}). Default: {@code target/bpfunit}.
     */
    String LOG_DIR = "bpfunit.log.dir";

    /**
     * Configuration parameter (or system property): where {@code @BpfTest} classes run when this JVM cannot use BPF,
     * e.g. {@code 6.12} (a VM booting Debian's 6.12 kernel) or {@code container} (a privileged container). Needs the
     * {@code bpfunit-kernel-vm} module on the test classpath, whose engine then runs them there; here they are
     * skipped saying so (also with {@link #REQUIRE}). Default: not set.
     */
    String FALLBACK = "bpfunit.fallback";

    /**
     * Configuration parameter (or system property): {@code true} instruments every program loaded in the run with
     * coverage counters and writes an HTML report, {@code lcov.info} and {@code cobertura.xml} to
     * {@link #COVERAGE_DIR} when the run ends, with a one-line summary in the output. Default: {@code false}.
     */
    String COVERAGE = dev.bpfunit.CoverageRecorder.COVERAGE;

    /** Configuration parameter (or system property): where coverage reports go. Default: {@code target/bpfunit/coverage}. */
    String COVERAGE_DIR = "bpfunit.coverage.dir";

    /**
     * Configuration parameter (or system property): comma-separated directories where the BPF C sources named by
     * line info are looked up for the HTML report. Default: {@code src/main/bpf,src/test/bpf,src/main/c,.}.
     */
    String COVERAGE_SOURCES = "bpfunit.coverage.sources";

    /**
     * Configuration parameter (or system property): the name this run's coverage has in reports that merge several
     * kernels' runs (the data file {@code <COVERAGE_DIR>/kernels/<name>.coverage}). The kernel matrix sets it to
     * each guest's kernel ({@code 6.1}, {@code 6.12}, {@code container}). Default: {@code host}.
     */
    String COVERAGE_KERNEL = "bpfunit.coverage.kernel";

    /** The default of {@link #COVERAGE_DIR}. */
    String DEFAULT_COVERAGE_DIR = "target/bpfunit/coverage";

    /** The default of {@link #COVERAGE_SOURCES}. */
    String DEFAULT_COVERAGE_SOURCES = "src/main/bpf,src/test/bpf,src/main/c,.";

    /**
     * Configuration parameter (or system property): the largest kernel memory one map may take, estimated before
     * it is created, in bytes or with {@code k}, {@code m}, {@code g} ({@code 2g}); a larger map fails the load.
     * Default: a quarter of the machine's RAM, at most 1 GiB.
     */
    String MAP_MEMORY_LIMIT = dev.bpfunit.spec.MapMemory.LIMIT_PROPERTY;

    /** The default of {@link #LOG_DIR}. */
    String DEFAULT_LOG_DIR = "target/bpfunit";

    /**
     * {@code @ResourceLock} name for the kernel's run-time statistics of BPF programs ({@code BpfStats},
     * {@code BPF_ENABLE_STATS}, sysctl {@code kernel.bpf_stats_enabled}), which are on for every program while
     * anyone holds them. Tests that enable them may share it ({@code mode = READ}); a test that checks they are
     * off, or that no run was counted, takes it alone ({@code READ_WRITE}). Under JUnit's parallel mode bpfunit
     * needs no other lock for its own work (see the README's <em>Parallel execution</em>).
     */
    String BPF_STATS = "dev.bpfunit.bpf_stats";

    /**
     * {@code @ResourceLock} name for a test that reads {@code trace_pipe} itself, which consumes the lines it reads
     * for every reader of the machine. bpfunit's {@code TraceLog} reads the {@code trace} file, which consumes
     * nothing, and keeps its own threads' lines, so tests using it need no lock.
     */
    String TRACE_PIPE = "dev.bpfunit.trace_pipe";

    /**
     * {@code @ResourceLock} name for a test that changes a kernel setting every test sees ({@code /proc/sys/kernel/
     * bpf_*}, {@code net.core.bpf_jit_*}, tracing's {@code tracing_on}): take it {@code READ_WRITE} there, and
     * {@code READ} in tests that depend on the setting.
     */
    String KERNEL_SETTINGS = "dev.bpfunit.kernel_settings";

    /** The objects to load: classpath resources, names under {@link #OBJECTS_DIR}, or paths. */
    String[] value() default {};

    /** Same as {@link #value()}, for when other attributes are given too; both lists are used. */
    String[] objects() default {};

    /** Global variables to set before load ({@code .data}, {@code .rodata}, {@code .bss}). */
    Global[] globals() default {};

    /** {@code max_entries} of maps, for definitions without one or to override it. */
    MaxEntries[] maxEntries() default {};

    /** Program types for sections whose name does not say. */
    ProgramTypeOf[] programTypes() default {};

    /** Programs not to load (their maps are still created). */
    String[] skipPrograms() default {};

    /**
     * Programs left without coverage counters when coverage is on ({@link #COVERAGE}), as
     * {@link dev.bpfunit.BpfObjectLoader#noCoverage(String...)} does: for a program the verifier refuses once
     * instrumented ({@link dev.bpfunit.InstrumentationRefusedException}), or one whose latency a test measures.
     * Each name must be a program of one of the objects. Without coverage it changes nothing.
     */
    String[] noCoverage() default {};

    /** The verifier log level for every program: 0 (only on failure, the default), 1 or 2 (with statistics). */
    int logLevel() default 0;
}
