package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.ParseCounting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The extension parses each object once per run and loads every test's fresh object from that parse: counted with
 * the loader's parse hook, over classes whose tests each get a fresh object, with options that differ per test.
 */
class ParseOnceTest {

    static final Set<BpfObject> SEEN = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    @BpfTest("junit/counter.bpf.o")
    static class FreshPerTest {
        static BpfObject shared;
        BpfObject object;

        @RepeatedTest(5)
        void freshObject() {
            assertThat(object).isNotSameAs(shared);
            assertThat(BpfExtensionTest.global(object, "verdict")).isEqualTo(BpfExtensionTest.u32(2));
            SEEN.add(object);
        }

        @Test
        @Global(name = "verdict", value = "1")
        void methodOptionsOnTheSharedParse(BpfObject param) {
            assertThat(BpfExtensionTest.global(param, "verdict")).isEqualTo(BpfExtensionTest.u32(1));
            assertThat(BpfExtensionTest.global(object, "verdict")).isEqualTo(BpfExtensionTest.u32(1));
            SEEN.add(param);
        }

        @Test
        void loaderParameter(BpfObjectLoader loader) {
            assertThat(loader.spec().findVariable("verdict")).isPresent();
            try (BpfObject own = loader.global("verdict", 3).load()) {
                assertThat(BpfExtensionTest.global(own, "verdict")).isEqualTo(BpfExtensionTest.u32(3));
            }
        }
    }

    /** Another class naming the same object, and one more object. */
    @BpfTest({"junit/counter.bpf.o", "junit/two_progs.bpf.o"})
    static class AnotherClass {
        @FromObject("counter") BpfObject counter;

        @RepeatedTest(3)
        void freshObject() {
            assertThat(BpfExtensionTest.global(counter, "verdict")).isEqualTo(BpfExtensionTest.u32(2));
            SEEN.add(counter);
        }
    }

    @Test
    void eachObjectIsParsedOncePerRun() {
        SEEN.clear();
        ParseCounting.Counted<EngineExecutionResults> run = ParseCounting.count(() -> Kit.run(Map.of(),
                selectClass(FreshPerTest.class), selectClass(AnotherClass.class)));
        Kit.assertAllPassed(run.result(), 10);
        assertThat(SEEN).as("a fresh object for every test").hasSize(9);
        assertThat(run.parses()).as("parses per object in a run of 10 tests over two classes")
                .isEqualTo(Map.of("counter.bpf.o", 1, "two_progs.bpf.o", 1));
    }

    static volatile Path changing;

    static void write(String resource) {
        try {
            Files.copy(Path.of(ParseOnceTest.class.getResource(resource).toURI()), changing,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes counter's bytes to the file before its test's object is read. */
    @BpfTest("changing.bpf.o")
    static class ChangedToCounter {
        BpfObject object;

        @org.junit.jupiter.api.BeforeAll
        static void rewrite() {
            write("/junit/counter.bpf.o");
        }

        @Test
        void seesCounter() {
            assertThat(object.program("count_packets")).isNotNull();
        }
    }

    /** Writes two_progs' bytes to the same file. */
    @BpfTest("changing.bpf.o")
    static class ChangedToTwoProgs {
        BpfObject object;

        @org.junit.jupiter.api.BeforeAll
        static void rewrite() {
            write("/junit/two_progs.bpf.o");
        }

        @Test
        void seesTwoProgs() {
            assertThat(object.programs()).hasSize(2);
        }
    }

    @Test
    void anObjectRewrittenBetweenClassesIsParsedAgain(@TempDir Path dir) {
        changing = dir.resolve("changing.bpf.o");
        ParseCounting.Counted<EngineExecutionResults> run = ParseCounting.count(() -> Kit.run(Map.of(BpfTest.OBJECTS_DIR, dir.toString()),
                selectClass(ChangedToCounter.class), selectClass(ChangedToTwoProgs.class)));
        Kit.assertAllPassed(run.result(), 2);
        assertThat(run.parses()).as("same name, other bytes: parsed again").isEqualTo(Map.of("changing.bpf.o", 2));
    }
}
