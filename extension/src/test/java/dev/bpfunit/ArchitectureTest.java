package dev.bpfunit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import dev.bpfunit.sys.BpfConstants;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import dev.bpfunit.sys.ArchitectureViolationSample;
import org.junit.jupiter.api.Test;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * Holds the layer table of CONTRIBUTING.md: each package of the extension may use only the packages listed for
 * it, so dependencies point down. A new package must be added to the table (and to CONTRIBUTING.md) before any
 * class may live in it.
 */
class ArchitectureTest {

    /** The table, from the top down; each row names the layers it may use. */
    static LayeredArchitecture layers() {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture()
                .layer("junit").definedBy("dev.bpfunit.junit")
                .layer("root").definedBy("dev.bpfunit")
                .layer("instrument").definedBy("dev.bpfunit.instrument")
                .layer("elf").definedBy("dev.bpfunit.elf")
                .layer("spec").definedBy("dev.bpfunit.spec")
                .layer("btf").definedBy("dev.bpfunit.btf")
                .layer("asm").definedBy("dev.bpfunit.asm")
                .layer("sys").definedBy("dev.bpfunit.sys")
                .layer("packet").definedBy("dev.bpfunit.packet")
                .layer("rawelf").definedBy("dev.bpfunit.rawelf")
                .layer("cache").definedBy("dev.bpfunit.cache")
                .layer("error").definedBy("dev.bpfunit.error")
                .whereLayer("junit").mayOnlyAccessLayers("root", "instrument", "elf", "spec", "btf", "asm", "sys",
                        "packet", "rawelf", "cache", "error")
                .whereLayer("root").mayOnlyAccessLayers("instrument", "elf", "spec", "btf", "asm", "sys", "packet",
                        "rawelf", "cache", "error")
                .whereLayer("instrument").mayOnlyAccessLayers("spec", "btf", "asm", "error")
                .whereLayer("elf").mayOnlyAccessLayers("spec", "btf", "asm", "sys", "rawelf", "error")
                .whereLayer("spec").mayOnlyAccessLayers("btf", "asm", "sys", "error")
                .whereLayer("btf").mayOnlyAccessLayers("rawelf", "cache", "error")
                .whereLayer("asm").mayOnlyAccessLayers("error")
                .whereLayer("sys").mayOnlyAccessLayers("cache", "error")
                .whereLayer("packet").mayOnlyAccessLayers("error")
                .whereLayer("rawelf").mayOnlyAccessLayers("error")
                .whereLayer("cache").mayNotAccessAnyLayer()
                .whereLayer("error").mayNotAccessAnyLayer();
    }

    @Test
    void dependenciesPointDown() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.bpfunit");
        assertThat(main.size()).as("classes imported from extension/target/classes").isGreaterThan(150);
        layers().check(main);
        kernelNumbersOnly().check(main);
    }

    /**
     * Every class of sys that uses a JNA type calls {@code JnaBoot.prepare()} in its static initializer before it
     * touches JNA there: any of them may be the first to start JNA, and JNA reads the properties JnaBoot sets once.
     */
    @Test
    void everyClassUsingJnaPreparesItFirst() {
        JavaClasses sys = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.bpfunit.sys");
        String boot = "dev.bpfunit.sys.JnaBoot";
        List<String> jnaUsers = new java.util.ArrayList<>();
        List<String> unprepared = new java.util.ArrayList<>();
        for (JavaClass c : sys) {
            if (c.getName().equals(boot) || c.getDirectDependenciesFromSelf().stream()
                    .noneMatch(d -> d.getTargetClass().getPackageName().startsWith("com.sun.jna"))) {
                continue;
            }
            jnaUsers.add(c.getName());
            Optional<Integer> prepared = c.getStaticInitializer().flatMap(init -> init.getMethodCallsFromSelf().stream()
                    .filter(call -> call.getTargetOwner().getName().equals(boot) && call.getName().equals("prepare"))
                    .map(call -> call.getLineNumber()).min(Integer::compare));
            int firstJnaLine = c.getStaticInitializer().flatMap(init -> init.getAccessesFromSelf().stream()
                    .filter(a -> a.getTargetOwner().getPackageName().startsWith("com.sun.jna"))
                    .map(a -> a.getLineNumber()).min(Integer::compare)).orElse(Integer.MAX_VALUE);
            if (prepared.isEmpty() || prepared.get() > firstJnaLine) {
                unprepared.add(c.getName());
            }
        }
        assertThat(jnaUsers).as("classes of sys using JNA").contains("dev.bpfunit.sys.Libc", "dev.bpfunit.sys.Attr");
        assertThat(unprepared).as("classes using JNA without JnaBoot.prepare() first in their static initializer")
                .isEmpty();
    }

    /** spec and elf take the kernel's numbers from sys.BpfConstants, their one home, and nothing else of sys. */
    static ArchRule kernelNumbersOnly() {
        return noClasses().that().resideInAnyPackage("dev.bpfunit.spec", "dev.bpfunit.elf").should()
                .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.bpfunit.sys")
                        .and(DescribedPredicate.not(JavaClass.Predicates.type(BpfConstants.class))))
                .because("only sys calls the kernel; the layers above it share its numbers (CONTRIBUTING.md)");
    }

    /**
     * The packages module {@code dev.bpfunit} exports to everyone, read from its compiled descriptor: module-info.java
     * is the one home of that list.
     */
    static Set<String> exportedPackages() throws IOException, URISyntaxException {
        Path classes = Path.of(BpfObject.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in).exports().stream().filter(e -> !e.isQualified())
                    .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * The public API of the exported packages (public and protected members of their public classes, supertypes
     * included) mentions no type of a package the module keeps to itself, so a user on the class path cannot come to
     * depend on {@code sys}, {@code elf}, {@code rawelf} or {@code asm} through a signature either.
     */
    static ArchRule publicApiShowsOnlyExportedTypes(Set<String> exported) {
        DescribedPredicate<JavaClass> api = DescribedPredicate.describe("the public API of " + exported,
                c -> exported.contains(c.getPackageName()) && effectivelyPublic(c));
        return classes().that(api).should(new ArchCondition<>("mention only types of exported packages") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                c.getSuperclass().ifPresent(t -> report(c, "extends", t.getAllInvolvedRawTypes(), c, events));
                c.getInterfaces().forEach(t -> report(c, "implements", t.getAllInvolvedRawTypes(), c, events));
                for (JavaMember m : c.getMembers()) {
                    Set<JavaModifier> mods = m.getModifiers();
                    if (!mods.contains(JavaModifier.PUBLIC) && !mods.contains(JavaModifier.PROTECTED)) {
                        continue;
                    }
                    Set<JavaClass> shown = new HashSet<>();
                    if (m instanceof JavaField f) {
                        shown.addAll(f.getType().getAllInvolvedRawTypes());
                    } else if (m instanceof JavaCodeUnit u) {
                        shown.addAll(u.getReturnType().getAllInvolvedRawTypes());
                        u.getParameterTypes().forEach(t -> shown.addAll(t.getAllInvolvedRawTypes()));
                        shown.addAll(u.getThrowsClause().getTypes());
                    }
                    report(m, "shows", shown, c, events);
                }
            }

            private void report(Object where, String how, Set<JavaClass> types, JavaClass c, ConditionEvents events) {
                for (JavaClass t : types) {
                    String pkg = t.getPackageName();
                    if (pkg.startsWith("dev.bpfunit") && !exported.contains(pkg)) {
                        events.add(SimpleConditionEvent.violated(c, where + " " + how + " internal type "
                                + t.getName() + " (package " + pkg + " is not exported by module-info.java)"));
                    }
                }
            }
        }).because("internal packages are not API: module-info exports only what users touch (CONTRIBUTING.md)");
    }

    private static boolean effectivelyPublic(JavaClass c) {
        for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
            if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void publicApiShowsOnlyExportedTypes() throws Exception {
        Set<String> exported = exportedPackages();
        assertThat(exported).contains("dev.bpfunit", "dev.bpfunit.junit").doesNotContain("dev.bpfunit.sys");
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.bpfunit");
        publicApiShowsOnlyExportedTypes(exported).check(main);
    }

    @Test
    void aPublicMethodShowingASysTypeFailsTheApiRule() throws Exception {
        JavaClasses wrong = new ClassFileImporter().importClasses(ApiViolationSample.class, dev.bpfunit.sys.Fd.class);
        EvaluationResult result = publicApiShowsOnlyExportedTypes(exportedPackages()).evaluate(wrong);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString())
                .contains("ApiViolationSample.descriptor()")
                .contains("internal type dev.bpfunit.sys.Fd")
                .doesNotContain("hidden");
    }

    @Test
    void aLowerLayerUsingAHigherOneFailsTheRule() {
        JavaClasses wrong = new ClassFileImporter().importClasses(ArchitectureViolationSample.class,
                BpfObject.class);
        EvaluationResult result = layers().evaluate(wrong);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString())
                .contains("dev.bpfunit.sys.ArchitectureViolationSample")
                .contains("dev.bpfunit.BpfObject");
    }

    /**
     * The multi-release part of the jar (META-INF/versions/22: the FFM binding) holds only classes of sys, the one
     * package that calls the kernel, and none that shadows a class of the base version (the tests put that
     * directory beside target/classes on the class path, not over it). On Java 22+ the layer rule above also
     * sees those classes, since the directory is then on the test class path.
     */
    @Test
    void versionedClassesAreSysOnlyAndNewClasses() throws Exception {
        Path classes = Path.of(dev.bpfunit.sys.Bpf.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path versions = classes.resolve("META-INF/versions");
        assertThat(versions).as("the build's multi-release classes (maven-compiler-plugin execution java22)")
                .isDirectory();
        List<Path> versioned;
        try (Stream<Path> files = Files.walk(versions)) {
            versioned = files.filter(f -> f.toString().endsWith(".class")).toList();
        }
        assertThat(versioned).extracting(f -> f.getFileName().toString()).contains("FfmCalls.class");
        for (Path f : versioned) {
            Path inPackage = versions.relativize(f).subpath(1, versions.relativize(f).getNameCount());
            assertThat(inPackage.getParent().toString()).as("package of %s", f).isEqualTo("dev/bpfunit/sys");
            assertThat(classes.resolve(inPackage)).as("a base class shadowed by %s", f).doesNotExist();
        }
    }
}
