package dev.bpfunit.junit;

import dev.bpfunit.BpfObject;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ObjectSpec;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The BPF objects a test class names in its {@link BpfTest} annotations (on the class and on its methods), found
 * where the extension finds them (the class's class path, {@link BpfTest#OBJECTS_DIR}, a path) and parsed, without
 * a kernel: nothing is loaded, so it works without privileges. For a check that every object a suite needs is
 * there and readable, and for tools that prepare a JVM for a class's run (the kernel matrix's class-data training
 * run parses them so that the parser's classes are in the guests' archive).
 */
public final class DeclaredObjects {

    private DeclaredObjects() {
    }

    /**
     * Finds and parses every object {@code testClass}'s {@link BpfTest} annotations name, each once, in the order
     * they are first named.
     *
     * @param configuration JUnit configuration parameters by key (for {@link BpfTest#OBJECTS_DIR}); a key without
     *                      one falls back to the system property of the same name, as in a test run
     * @return the parsed objects, by the name the annotation gives
     * @throws BpfException when an object is not found or is not a BPF object bpfunit can read, naming the
     *                      annotation, where it looked and the fix
     */
    public static Map<String, ObjectSpec> parse(Class<?> testClass,
                                                Function<String, Optional<String>> configuration) {
        Optional<String> objectsDir = Settings.get(configuration, BpfTest.OBJECTS_DIR);
        Map<String, ObjectSpec> parsed = new LinkedHashMap<>();
        for (ObjectLoading.Declaration d : declarations(testClass)) {
            for (String requested : d.objects()) {
                if (parsed.containsKey(requested)) {
                    continue;
                }
                ObjectLoading.Located found;
                try {
                    found = ObjectLoading.locate(d, requested, testClass.getClassLoader(), objectsDir);
                } catch (RuntimeException e) {
                    throw new BpfException(e.getMessage(), e);
                }
                try {
                    parsed.put(requested, BpfObject.loader(found.bytes(), found.fileName()).spec());
                } catch (BpfException e) {
                    throw new BpfException(ObjectLoading.unreadable(d, found, e), e);
                }
            }
        }
        return parsed;
    }

    /** The class's {@link BpfTest} (then, for an inner class, its enclosing classes'), then its methods'. */
    private static List<ObjectLoading.Declaration> declarations(Class<?> testClass) {
        List<ObjectLoading.Declaration> all = new ArrayList<>();
        List<AnnotatedElement> elements = new ArrayList<>();
        // a @Nested class runs inside its enclosing classes' contexts, so their @BpfTest applies; a static member
        // class is a test class of its own
        for (Class<?> c = testClass; c != null; c = isInner(c) ? c.getEnclosingClass() : null) {
            elements.add(c);
        }
        elements.addAll(ReflectionSupport.findMethods(testClass, method -> true, HierarchyTraversalMode.TOP_DOWN));
        for (AnnotatedElement e : elements) {
            AnnotationSupport.findAnnotation(e, BpfTest.class)
                    .ifPresent(a -> all.add(new ObjectLoading.Declaration(a, e)));
        }
        return all;
    }

    private static boolean isInner(Class<?> c) {
        return c.isMemberClass() && !Modifier.isStatic(c.getModifiers());
    }
}
