package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;

import dev.bpfunit.vm.fixtures.GuestPanics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.EngineExecutionListener;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.EngineDescriptor;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The matrix runs kernels at once as {@link MatrixPlan} says, with the CPUs it says, and reports every one. */
class MatrixParallelTest {
    @TempDir
    Path dir;

    /** Fake guests: each runVm call waits a little and counts how many run at the same time. */
    private final class Recording implements KernelRun.Backends {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final List<Integer> cpus = new CopyOnWriteArrayList<>();

        @Override
        public KernelImage kernel(String value) {
            try {
                return KernelImage.of(Files.createTempFile(dir, "vmlinuz-", ""));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public Accelerator accelerator() {
            return Accelerator.TCG;
        }

        @Override
        public VmResult runVm(VmSpec spec, Consumer<String> output) {
            cpus.add(spec.cpus());
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
            return new VmResult(VmResult.Outcome.BOOT_FAILED, -1, List.of("fake console"), Optional.empty(),
                    Duration.ofMillis(500), "fake guest");
        }

        @Override
        public VmResult runContainer(ContainerSpec spec, Consumer<String> output) {
            throw new UnsupportedOperationException();
        }
    }

    private EngineExecutionResults run(Recording backends, String parallel, String cpus) {
        return EngineTestKit.engine(new KernelMatrixEngine(Optional::empty, backends))
                .selectors(selectClass(GuestPanics.class))
                .configurationParameter(BpfKernels.KERNELS, "6.1,6.12,6.6")
                .configurationParameter(BpfKernels.CLASSES, "all")
                .configurationParameter(BpfKernels.DIR, dir.toString())
                .configurationParameter(BpfKernels.PARALLEL, parallel)
                .configurationParameter(BpfKernels.CPUS, cpus)
                .execute();
    }

    @Test
    void kernelsRunAtOnceWithTheirShareOfTheCpus() {
        Recording backends = new Recording();
        EngineExecutionResults results = run(backends, "2", "auto");

        assertThat(backends.most.get()).isEqualTo(2);
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(backends.cpus).hasSize(3).containsOnly(Math.max(1, cores / 2));
        for (String kernel : List.of("6.1", "6.12", "6.6")) {
            results.containerEvents().assertThatEvents().haveExactly(1, event(container(),
                    displayName("[kernel " + kernel + "]"), finishedWithFailure()));
        }
    }

    /**
     * The snapshot store keeps three guests with a resident JVM: a longer matrix gives one to its first three VM
     * kernels only, and says so (every kernel saving one would push out another every run).
     */
    @Test
    void aResidentJvmForAsManyKernelsAsTheStoreKeeps() {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true));
        try {
            for (String resident : List.of("auto", "false")) {
                EngineTestKit.engine(new KernelMatrixEngine(Optional::empty, new Recording()))
                        .selectors(selectClass(GuestPanics.class))
                        .configurationParameter(BpfKernels.KERNELS, "6.1,container,6.12,6.6,6.18")
                        .configurationParameter(BpfKernels.CLASSES, "all")
                        .configurationParameter(BpfKernels.DIR, dir.toString())
                        .configurationParameter(BpfKernels.RESIDENT, resident)
                        .configurationParameter(BpfKernels.PARALLEL, "1")
                        .execute();
            }
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString().lines().filter(l -> l.contains("resident JVM")))
                .as("one line, from the run where the setting asks for resident JVMs").containsExactly(
                        "bpfunit kernel matrix: saved guests keep a resident JVM for the first 3 kernels (6.1, 6.12,"
                                + " 6.6: the snapshot store keeps 3 such guests, about 600 MB each); the others start a"
                                + " JVM in each run: 6.18");
    }

    @Test
    void oneAtATimeWhenSoConfigured() {
        Recording backends = new Recording();
        run(backends, "1", "2");

        assertThat(backends.most.get()).isEqualTo(1);
        assertThat(backends.cpus).containsExactly(2, 2, 2);
    }

    @Test
    void theSynchronizedListenerLetsOneCallInAtATime() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        EngineExecutionListener counting = new EngineExecutionListener() {
            @Override
            public void executionStarted(TestDescriptor descriptor) {
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                Thread.onSpinWait();
                calls.incrementAndGet();
                inside.decrementAndGet();
            }
        };
        EngineExecutionListener safe = KernelMatrixEngine.synchronizedListener(counting);
        TestDescriptor node = new EngineDescriptor(UniqueId.forEngine("x"), "x");
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    safe.executionStarted(node);
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(calls.get()).isEqualTo(8000);
        assertThat(most.get()).isEqualTo(1);
        assertThat(safe.toString()).contains("synchronized");
    }
}
