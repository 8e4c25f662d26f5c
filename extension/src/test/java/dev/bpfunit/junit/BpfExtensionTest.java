package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.VerifierException;
import dev.bpfunit.spec.VariableSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EventType;

/** The extension's behaviour, seen through JUnit's engine: what a user gets, and what a user sees when it is wrong. */
class BpfExtensionTest {

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** The bytes of a global variable, read back from its data map. */
    static byte[] global(BpfObject obj, String name) {
        VariableSpec v = obj.spec().findVariable(name).orElseThrow();
        byte[] section = obj.map(v.map()).lookup(u32(0)).orElseThrow();
        byte[] out = new byte[v.size()];
        System.arraycopy(section, v.offset(), out, 0, v.size());
        return out;
    }

    // ---------------------------------------------------------------- injection and scopes

    static final List<BpfObject> SEEN = Collections.synchronizedList(new ArrayList<>());

    @BpfTest("junit/counter.bpf.o")
    static class Injection {
        static BpfObject shared;
        static BpfObject sharedSeenInBeforeAll;
        BpfObject object;
        @Program("count_packets") BpfProgram named;
        BpfProgram unnamed;
        BpfMap onlyMap;
        @Map(".rodata") BpfMap rodata;

        @BeforeAll
        static void beforeAll(BpfObject param) {
            sharedSeenInBeforeAll = shared;
            assertThat(param).isSameAs(shared);
        }

        @Test
        void fieldsAndParameters(BpfObject param, @Program BpfProgram prog, @Map("counts") BpfMap counts,
                                 BpfObjectLoader loader) {
            assertThat(param).isSameAs(object).isNotSameAs(shared);
            assertThat(named.name()).isEqualTo("count_packets");
            assertThat(unnamed).isSameAs(named).isSameAs(prog);
            assertThat(onlyMap.name()).isEqualTo("counts");
            assertThat(counts).isSameAs(onlyMap);
            assertThat(rodata.name()).isEqualTo(".rodata");
            assertThat(loader.spec().name()).isEqualTo("counter.bpf.o");
            assertThat(named.isClosed()).isFalse();
            SEEN.add(object);
            SEEN.add(shared);
        }

        @Test
        void freshMapsForEveryTest() {
            assertThat(onlyMap.lookup(u32(0)).orElseThrow()).isEqualTo(u64(0));
            onlyMap.update(u32(0), u64(41));
            SEEN.add(object);
        }

        @Test
        void freshMapsForEveryTestAgain() {
            assertThat(onlyMap.lookup(u32(0)).orElseThrow()).isEqualTo(u64(0));
            onlyMap.update(u32(0), u64(42));
            SEEN.add(object);
        }
    }

    @Test
    void injectsPerScopeAndClosesEverything() {
        SEEN.clear();
        Kit.assertAllPassed(Kit.run(Injection.class), 3);
        assertThat(Injection.sharedSeenInBeforeAll).as("static field injected before @BeforeAll").isNotNull();
        Set<BpfObject> perTest = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        SEEN.stream().filter(o -> o != Injection.shared).forEach(perTest::add);
        assertThat(perTest).as("one object per test").hasSize(3);
        assertThat(SEEN).allSatisfy(o -> assertThat(o.program("count_packets").isClosed())
                .as("closed after its scope").isTrue());
        assertThat(Injection.shared.map("counts").isClosed()).isTrue();
    }

    // ---------------------------------------------------------------- globals

    @BpfTest(value = "junit/counter.bpf.o", globals = {@Global(name = "verdict", value = "1"),
        @Global(name = "tag", value = "abc")})
    @Global(name = "port", value = "0xffff")
    @Global(name = "delta", value = "-128")
    @Global(name = "enabled", value = "false")
    static class GlobalsSet {
        @Test
        void setBeforeLoad(BpfObject obj, dev.bpfunit.Globals globals) {
            assertThat(globals.get("verdict").asLong()).isEqualTo(1);
            assertThat(globals).isSameAs(obj.globals());
            assertThat(global(obj, "verdict")).isEqualTo(u32(1));
            assertThat(global(obj, "port")).containsExactly(0xff, 0xff);
            assertThat(global(obj, "delta")).containsExactly(0x80);
            assertThat(global(obj, "enabled")).containsExactly(0);
            assertThat(global(obj, "tag")).containsExactly('a', 'b', 'c', 0, 0, 0, 0, 0);
        }

        @Test
        @BpfTest(value = "junit/counter.bpf.o", globals = @Global(name = "verdict", value = "hex:02000000"))
        void methodAnnotationReplacesTheClassOne(BpfObject obj) {
            assertThat(global(obj, "verdict")).isEqualTo(u32(2));
            assertThat(global(obj, "port")).containsExactly(0, 0);
        }
    }

    @Test
    void globalsAreParsedByTheirBtfType() {
        Kit.assertAllPassed(Kit.run(GlobalsSet.class), 2);
    }

    @BpfTest(value = "junit/counter.bpf.o", globals = @Global(name = "verdict", value = "1"))
    @Global(name = "port", value = "7")
    static class MethodLevelOptions {
        BpfObject field;

        @Test
        @Global(name = "verdict", value = "2")
        @Global(name = "delta", value = "5")
        @MaxEntries(map = "counts", value = 3)
        void applyToTheTestsFreshObjects(BpfObject param) {
            for (BpfObject obj : List.of(field, param)) {
                assertThat(global(obj, "verdict")).as("the method's value wins").isEqualTo(u32(2));
                assertThat(global(obj, "delta")).containsExactly(5);
                assertThat(global(obj, "port")).as("the class's other options stay").containsExactly(7, 0);
                assertThat(obj.map("counts").info().maxEntries()).isEqualTo(3);
            }
        }

        @Test
        void otherTestsKeepTheClassOptions(BpfObject obj) {
            assertThat(global(obj, "verdict")).isEqualTo(u32(1));
            assertThat(global(obj, "delta")).containsExactly(1);
            assertThat(obj.map("counts").info().maxEntries()).isEqualTo(1);
        }

        @Test
        @Global(name = "verdict", value = "2")
        void reachTheInjectedLoader(BpfObjectLoader loader) {
            try (BpfObject obj = loader.load()) {
                assertThat(global(obj, "verdict")).isEqualTo(u32(2));
            }
        }
    }

    @Test
    void optionsOnATestMethodApplyToThatTestsObjects() {
        Kit.assertAllPassed(Kit.run(MethodLevelOptions.class), 3);
    }

    @BpfTest("junit/counter.bpf.o")
    static class MethodOptionOnSharedObject {
        static BpfObject shared;

        @Test
        @Global(name = "verdict", value = "2")
        void cannotChangeTheClassObject() {
            throw new AssertionError("must not run: the option would be ignored");
        }
    }

    @Test
    void aMethodOptionThatCannotApplyFailsTheTestSayingWhy() {
        Throwable t = Kit.onlyFailure(Kit.run(MethodOptionOnSharedObject.class));
        assertThat(t).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("@Global(name = \"verdict\", value = \"2\") on "
                        + MethodOptionOnSharedObject.class.getName() + ".cannotChangeTheClassObject() applies only to "
                        + "the objects loaded fresh for this test")
                .hasMessageContaining("static fields and @BeforeAll parameters are loaded once for the class")
                .hasMessageContaining("Put the option on the class");
    }

    @BpfTest(value = "junit/counter.bpf.o", globals = @Global(name = "port", value = "70000"))
    static class GlobalTooBig {
        @Test
        void test(BpfObject obj) {
        }
    }

    @BpfTest(value = "junit/counter.bpf.o", globals = @Global(name = "prot", value = "1"))
    static class GlobalMisspelled {
        @Test
        void test(BpfObject obj) {
        }
    }

    @BpfTest(value = "junit/counter.bpf.o", globals = @Global(name = "enabled", value = "yes"))
    static class GlobalNotABool {
        @Test
        void test(BpfObject obj) {
        }
    }

    @Test
    void aGlobalThatDoesNotFitNamesTheTypeAndTheRange() {
        Throwable t = Kit.onlyFailure(Kit.run(GlobalTooBig.class));
        assertThat(t).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@Global(name = \"port\", value = \"70000\") in @BpfTest on "
                        + GlobalTooBig.class.getName() + ": in counter.bpf.o, global 'port' (const volatile __u16, "
                        + "2 bytes): 70000 does not fit an unsigned 16-bit integer: give a value from 0 to 65535");
        assertThat(Kit.onlyFailure(Kit.run(GlobalMisspelled.class)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@Global(name = \"prot\", value = \"1\") in @BpfTest on " + GlobalMisspelled.class.getName()
                        + ": no global variable 'prot' in counter.bpf.o; variables: verdict, port, delta, enabled, tag");
        assertThat(Kit.onlyFailure(Kit.run(GlobalNotABool.class)))
                .hasMessageContaining("in counter.bpf.o, global 'enabled' (const volatile _Bool, 1 byte): 'yes' is not a "
                        + "bool: give true or false");
    }

    // ---------------------------------------------------------------- finding objects

    @BpfTest("no/such/thing.bpf.o")
    static class NoSuchObject {
        @Test
        void test(BpfObject obj) {
        }
    }

    @BpfTest("counter")
    static class FromObjectsDir {
        @Test
        void test(BpfObject obj) {
            assertThat(obj.name()).isEqualTo("counter.bpf.o");
        }
    }

    @Test
    void aMissingObjectSaysWhereItLooked() {
        Throwable t = Kit.onlyFailure(Kit.run(NoSuchObject.class));
        assertThat(t).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("@BpfTest on " + NoSuchObject.class.getName() + ": no BPF object "
                        + "'no/such/thing.bpf.o': looked on the test classpath for no/such/thing.bpf.o, under "
                        + "bpfunit.objects.dir (not set), and at ")
                .hasMessageEndingWith(": put the object in src/test/resources, set bpfunit.objects.dir to its "
                        + "directory, or give its path");
    }

    @Test
    void objectsAreFoundUnderTheConfiguredDirectoryWithTheSuffixAdded() {
        EngineExecutionResults without = Kit.run(FromObjectsDir.class);
        assertThat(Kit.onlyFailure(without)).hasMessageContaining("no BPF object 'counter'");
        Path dir = Path.of("src/test/resources/junit").toAbsolutePath();
        Kit.assertAllPassed(Kit.run(FromObjectsDir.class, java.util.Map.of(BpfTest.OBJECTS_DIR, dir.toString())), 1);
    }

    // ---------------------------------------------------------------- picking programs and maps

    @BpfTest("junit/two_progs.bpf.o")
    static class TwoPrograms {
        @Test
        void test(BpfProgram prog) {
        }
    }

    @BpfTest("junit/two_progs.bpf.o")
    static class TwoMaps {
        BpfMap map;

        @Test
        void test() {
        }
    }

    @BpfTest("junit/two_progs.bpf.o")
    static class MisspelledProgram {
        @Test
        void test(@Program("frist") BpfProgram prog) {
        }
    }

    @BpfTest({"junit/counter.bpf.o", "junit/two_progs.bpf.o"})
    static class TwoObjects {
        @Test
        void picked(@FromObject("counter") BpfObject counter, @FromObject("two_progs.bpf.o") BpfObject two,
                    @Program("second") BpfProgram second, BpfMap unnamedMap) {
            assertThat(counter.name()).isEqualTo("counter.bpf.o");
            assertThat(two.name()).isEqualTo("two_progs.bpf.o");
            assertThat(second).isSameAs(two.program("second"));
        }
    }

    @BpfTest({"junit/counter.bpf.o", "junit/two_progs.bpf.o"})
    static class TwoObjectsUnnamed {
        @Test
        void test(BpfObject obj) {
        }
    }

    @BpfTest({"junit/counter.bpf.o", "junit/two_progs.bpf.o"})
    static class TwoObjectsOneProgram {
        @Test
        void test(@FromObject("counter") BpfProgram p, @FromObject("counter") BpfMap m) {
            assertThat(p.name()).isEqualTo("count_packets");
            assertThat(m.name()).isEqualTo("counts");
        }
    }

    @BpfTest(value = {"junit/counter.bpf.o", "junit/two_progs.bpf.o"}, skipPrograms = "thrid")
    static class TwoObjectsMisspelledSkip {
        @Test
        void test(@FromObject("counter") BpfObject obj) {
        }
    }

    @BpfTest(value = {"junit/counter.bpf.o", "junit/two_progs.bpf.o"}, skipPrograms = "second",
            maxEntries = @MaxEntries(map = "counts", value = 7))
    static class TwoObjectsOptionsForOne {
        @Test
        void test(@FromObject("counter") BpfObject counter, @FromObject("two_progs.bpf.o") BpfObject two) {
            assertThat(counter.map("counts").spec().maxEntries()).isEqualTo(7);
            assertThat(two.programs()).extracting(BpfProgram::name).containsExactly("first");
        }
    }

    @BpfTest("junit/counter.bpf.o")
    static class FinalField {
        final BpfObject obj = null;

        @Test
        void test() {
        }
    }

    @Test
    void twoCandidatesForAnUnnamedInjectionNameBothAndTheFix() {
        assertThat(Kit.onlyFailure(Kit.run(TwoPrograms.class)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("a program without a name on parameter 0 (BpfProgram) of TwoPrograms.test(): 2 candidates, "
                        + "programs 'first' in two_progs.bpf.o and 'second' in two_progs.bpf.o: name one, e.g. "
                        + "@Program(\"first\")");
        assertThat(Kit.onlyFailure(Kit.run(TwoMaps.class)))
                .hasMessage("a map without a name on field TwoMaps.map: 2 candidates, maps 'left' in two_progs.bpf.o "
                        + "and 'right' in two_progs.bpf.o: name one, e.g. @Map(\"left\")");
        assertThat(Kit.onlyFailure(Kit.run(TwoObjectsUnnamed.class)))
                .hasMessage("BpfObject parameter 0 (BpfObject) of TwoObjectsUnnamed.test(): @BpfTest on "
                        + TwoObjectsUnnamed.class.getName() + " loads 2 objects, counter.bpf.o, two_progs.bpf.o: "
                        + "pick one with @FromObject(\"counter.bpf.o\")");
    }

    @Test
    void aNameNoObjectHasIsRefusedInTheLoadersWordsForEachObject() throws Exception {
        BpfObjectLoader counter = BpfObject.loader(Path.of("target/test-classes/junit/counter.bpf.o"));
        BpfObjectLoader two = BpfObject.loader(Path.of("target/test-classes/junit/two_progs.bpf.o"));
        String counterSays = counter.missing(BpfObjectLoader.Named.PROGRAM, "thrid").orElseThrow();
        String twoSays = two.missing(BpfObjectLoader.Named.PROGRAM, "thrid").orElseThrow();
        assertThat(twoSays).isEqualTo("no program 'thrid' in two_progs.bpf.o; programs: first, second");
        assertThat(Kit.onlyFailure(Kit.run(TwoObjectsMisspelledSkip.class)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("skipPrograms = \"thrid\" in @BpfTest on " + TwoObjectsMisspelledSkip.class.getName() + ": "
                        + counterSays + "; and " + twoSays);
        assertThatThrownBy(() -> two.skipProgram("thrid").spec()).hasMessage(twoSays);
    }

    @Test
    void anOptionAppliesToTheObjectsThatHaveTheName() {
        Kit.assertAllPassed(Kit.run(TwoObjectsOptionsForOne.class), 1);
    }

    @Test
    void aMissingProgramListsThePrograms() {
        assertThat(Kit.onlyFailure(Kit.run(MisspelledProgram.class)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@Program(\"frist\") on parameter 0 (BpfProgram) of MisspelledProgram.test(): no such "
                        + "program in two_progs.bpf.o (programs: first, second): fix the name");
    }

    @Test
    void severalObjectsArePickedFromByName() {
        // the unnamed map has three candidates over both objects: counts, left, right
        assertThat(Kit.onlyFailure(Kit.run(TwoObjects.class)))
                .hasMessageContaining("3 candidates, maps 'counts' in counter.bpf.o and 'left' in two_progs.bpf.o "
                        + "and 'right' in two_progs.bpf.o");
        Kit.assertAllPassed(Kit.run(TwoObjectsOneProgram.class), 1);
    }

    @BpfTest("junit/counter.bpf.o")
    static class MapAnnotationOnAProgram {
        @Map("counts") BpfProgram notAMap;

        @Test
        void test() {
        }
    }

    @BpfTest("junit/two_progs.bpf.o")
    static class ProgramAnnotationOnAMap {
        @Program("first") BpfMap notAProgram;

        @Test
        void test() {
        }
    }

    @BpfTest("junit/counter.bpf.o")
    static class MapAnnotationOnAString {
        @Map("counts") String name;

        @Test
        void test() {
        }
    }

    @BpfTest("junit/counter.bpf.o")
    static class AttachOnAParameterOfAnotherType {
        @Test
        void test(@Attach BpfMap map) {
        }
    }

    @BpfTest("junit/counter.bpf.o")
    static class FromObjectOnAString {
        @Test
        void test(@FromObject("counter") String object) {
        }
    }

    /**
     * An annotation of the extension on a field or parameter of a type it does not go with is refused: before, an
     * {@code @Map} on a {@code BpfProgram} field got the object's only program and one on a {@code String} was ignored.
     */
    @Test
    void anAnnotationOnAFieldOrParameterOfAnotherTypeIsRefused() {
        assertThat(Kit.onlyFailure(Kit.run(MapAnnotationOnAProgram.class)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@Map on field MapAnnotationOnAProgram.notAMap, a BpfProgram: @Map goes on BpfMap fields"
                        + " and parameters only: a program is named with @Program(\"counts\")");
        assertThat(Kit.onlyFailure(Kit.run(ProgramAnnotationOnAMap.class)))
                .hasMessage("@Program on field ProgramAnnotationOnAMap.notAProgram, a BpfMap: @Program goes on"
                        + " BpfProgram fields and parameters only: a map is named with @Map(\"first\")");
        assertThat(Kit.onlyFailure(Kit.run(MapAnnotationOnAString.class)))
                .hasMessage("@Map on field MapAnnotationOnAString.name, a String: @Map goes on BpfMap fields and"
                        + " parameters only");
        assertThat(Kit.onlyFailure(Kit.run(AttachOnAParameterOfAnotherType.class)))
                .hasMessage("@Attach on parameter 0 (BpfMap) of AttachOnAParameterOfAnotherType.test(), a BpfMap:"
                        + " @Attach goes on BpfProgram fields and parameters only");
        assertThat(Kit.onlyFailure(Kit.run(FromObjectOnAString.class)))
                .hasMessage("@FromObject on parameter 0 (String) of FromObjectOnAString.test(), a String: @FromObject"
                        + " goes on BpfObject, BpfProgram, BpfMap, Globals, BpfObjectLoader fields and parameters only");
    }

    @Test
    void aFinalFieldIsAConfigurationError() {
        assertThat(Kit.onlyFailure(Kit.run(FinalField.class)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@BpfTest cannot inject the final field field FinalField.obj: remove 'final'");
    }

    // ---------------------------------------------------------------- the verifier

    @BpfTest("junit/reject.bpf.o")
    static class Rejected {
        @Test
        void loads(BpfProgram prog) {
        }

        @Test
        void loaderStillUsable(BpfObjectLoader loader) {
            try {
                loader.load().close();
                throw new AssertionError("loaded");
            } catch (VerifierException expected) {
                assertThat(expected.program()).isEqualTo("bad_deref");
            }
        }
    }

    @BpfTest("junit/reject.bpf.o")
    static class RejectedAsFieldAndParameter {
        BpfProgram unused;

        @Test
        void field() {
        }
    }

    @BpfTest("junit/reject.bpf.o")
    static class RejectedAsParameter {
        @Test
        void parameter(BpfProgram prog) {
        }
    }

    @Test
    void aRejectedProgramFailsAParameterTestAsCleanlyAsAFieldTest(@TempDir Path logs) {
        java.util.Map<String, String> dir = java.util.Map.of(BpfTest.LOG_DIR, logs.toString());
        Throwable asField = rawFailure(Kit.run(RejectedAsFieldAndParameter.class, dir));
        Throwable asParameter = rawFailure(Kit.run(RejectedAsParameter.class, dir));

        assertThat(asParameter).isNotInstanceOf(org.junit.jupiter.api.extension.ParameterResolutionException.class)
                .isInstanceOf(asField.getClass());
        // the same message but for the names and the verification time ("56 us") of the two loads
        assertThat(asParameter.getMessage().replaceAll(", \\d+ us\n", ", N us\n")).doesNotContain("Failed to resolve parameter")
                .startsWith("@BpfTest on " + RejectedAsParameter.class.getName() + ": the verifier rejected program "
                        + "'bad_deref' of reject.bpf.o:\n")
                .isEqualTo(asField.getMessage().replace(RejectedAsFieldAndParameter.class.getName(),
                        RejectedAsParameter.class.getName()).replace("field-bad_deref", "parameter-bad_deref")
                        .replaceAll(", \\d+ us\n", ", N us\n"));
        assertThat(asParameter.getCause()).isInstanceOf(VerifierException.class);
    }

    /** The one failure of a run as JUnit reports it, not unwrapped. */
    private static Throwable rawFailure(EngineExecutionResults results) {
        List<Throwable> failures = results.testEvents().failed().stream()
                .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                        .getThrowable().orElseThrow())
                .toList();
        assertThat(failures).hasSize(1);
        return failures.get(0);
    }

    @Test
    void aRejectedProgramFailsTheTestWithTheSummaryAndSavesTheLog(@TempDir Path logs) throws Exception {
        EngineExecutionResults r = Kit.run(Rejected.class, java.util.Map.of(BpfTest.LOG_DIR, logs.toString()));
        r.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        Path log = logs.resolve(Rejected.class.getName()).resolve("loads-bad_deref.log");
        r.testEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(instanceOf(BpfTestException.class),
                message(m -> m.startsWith("@BpfTest on " + Rejected.class.getName() + ": the verifier rejected program "
                        + "'bad_deref' of reject.bpf.o:\nobject reject.bpf.o: program bad_deref: the verifier rejected it")
                        && m.contains("map_value_or_null")
                        && m.contains("source: reject.bpf.c:")
                        && m.endsWith("the whole verifier log is in " + log.toAbsolutePath())))));
        assertThat(Files.readString(log)).contains("invalid mem access 'map_value_or_null'").contains("processed");
        assertThat(r.allEvents().filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED).count()).isOne();
        assertThat(r.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).orElseThrow()
                        .getKeyValuePairs()))
                .containsExactly(java.util.Map.of("bpfunit.verifier", "bad_deref in reject.bpf.o rejected",
                        "bpfunit.verifier.log", log.toAbsolutePath().toString()));
        assertThat(r.allEvents().filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED).count())
                .as("the log published as a file").isOne();
    }

    @BpfTest("junit/reject.bpf.o")
    static class RejectedParameterized {
        @org.junit.jupiter.params.ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
        void loads(int value, BpfProgram prog) {
        }

        @org.junit.jupiter.api.RepeatedTest(2)
        void repeated(BpfProgram prog) {
        }
    }

    @Test
    void eachInvocationOfATemplateSavesItsOwnLog(@TempDir Path logs) throws Exception {
        EngineExecutionResults r = Kit.run(RejectedParameterized.class,
                java.util.Map.of(BpfTest.LOG_DIR, logs.toString()));
        r.testEvents().assertStatistics(s -> s.failed(4));
        Path dir = logs.resolve(RejectedParameterized.class.getName());
        try (var files = Files.list(dir)) {
            // beside each log: the control-flow graph (.dot, and .svg where Graphviz is installed)
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted())
                    .containsExactly("loads[1]-bad_deref.log", "loads[2]-bad_deref.log", "repeated[1]-bad_deref.log",
                            "repeated[2]-bad_deref.log");
        }
        r.testEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(message(m -> m.endsWith(
                "the whole verifier log is in " + dir.resolve("loads[2]-bad_deref.log").toAbsolutePath())))));
        assertThat(Files.readString(dir.resolve("repeated[2]-bad_deref.log"))).contains("map_value_or_null");
    }

    // ---------------------------------------------------------------- parallel execution

    static final int PARALLEL_TESTS = 6;
    static final CountDownLatch ALL_RUNNING = new CountDownLatch(PARALLEL_TESTS);
    static final Set<BpfMap> PARALLEL_MAPS = ConcurrentHashMap.newKeySet();

    @BpfTest("junit/counter.bpf.o")
    static class Parallel {
        BpfMap counts;

        void own(int value) throws InterruptedException {
            counts.update(u32(0), u64(value));
            ALL_RUNNING.countDown();
            // every test holds its own object while the others run and write theirs
            assertThat(ALL_RUNNING.await(30, TimeUnit.SECONDS)).as("all tests ran at once").isTrue();
            assertThat(counts.lookup(u32(0)).orElseThrow()).isEqualTo(u64(value));
            PARALLEL_MAPS.add(counts);
        }

        @Test void t1() throws InterruptedException { own(1); }
        @Test void t2() throws InterruptedException { own(2); }
        @Test void t3() throws InterruptedException { own(3); }
        @Test void t4() throws InterruptedException { own(4); }
        @Test void t5() throws InterruptedException { own(5); }
        @Test void t6() throws InterruptedException { own(6); }
    }

    @Test
    void parallelTestsEachHaveTheirOwnObjects() {
        EngineExecutionResults r = Kit.run(Parallel.class, java.util.Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", String.valueOf(PARALLEL_TESTS)));
        Kit.assertAllPassed(r, PARALLEL_TESTS);
        assertThat(PARALLEL_MAPS).hasSize(PARALLEL_TESTS).allSatisfy(m -> assertThat(m.isClosed()).isTrue());
    }
}
