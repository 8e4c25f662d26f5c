package dev.bpfunit.junit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.VerifierException;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.VariableSpec;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Finds the objects a {@link BpfTest} names, prepares their loaders with the annotation's options and
 * loads them, turning a verifier rejection into a test failure with the log saved and published.
 */
final class ObjectLoading {

    /**
     * Where a {@link BpfTest} was found: the annotation and the class or method carrying it, and, for a test's own
     * objects, the test method, whose standalone options ({@link Global}, {@link MaxEntries}, {@link ProgramTypeOf})
     * apply after the declaration's and win over them.
     */
    record Declaration(BpfTest annotation, AnnotatedElement element, Optional<Method> testMethod) {

        Declaration(BpfTest annotation, AnnotatedElement element) {
            this(annotation, element, Optional.empty());
        }

        String describe() {
            return "@BpfTest on " + name(element);
        }

        List<String> objects() {
            List<String> all = new ArrayList<>(List.of(annotation.value()));
            all.addAll(List.of(annotation.objects()));
            return all;
        }

        /** The elements whose standalone options apply, in order: the declaring element, then the test method. */
        private List<AnnotatedElement> optionElements() {
            List<AnnotatedElement> elements = new ArrayList<>(List.of(element));
            testMethod.filter(m -> !m.equals(element)).ifPresent(elements::add);
            return elements;
        }

        List<Global> globals() {
            LinkedHashMap<String, Global> all = new LinkedHashMap<>();
            for (Global g : AnnotationSupport.findRepeatableAnnotations(element, Global.class)) {
                all.put(g.name(), g);
            }
            for (Global g : annotation.globals()) {
                all.put(g.name(), g);
            }
            testMethod.filter(m -> !m.equals(element)).ifPresent(m -> {
                for (Global g : AnnotationSupport.findRepeatableAnnotations(m, Global.class)) {
                    all.put(g.name(), g);
                }
            });
            return List.copyOf(all.values());
        }

        List<MaxEntries> maxEntries() {
            LinkedHashMap<String, MaxEntries> all = new LinkedHashMap<>();
            for (MaxEntries m : annotation.maxEntries()) {
                all.put(m.map(), m);
            }
            for (AnnotatedElement e : optionElements()) {
                for (MaxEntries m : AnnotationSupport.findRepeatableAnnotations(e, MaxEntries.class)) {
                    all.put(m.map(), m);
                }
            }
            return List.copyOf(all.values());
        }

        List<ProgramTypeOf> programTypes() {
            LinkedHashMap<String, ProgramTypeOf> all = new LinkedHashMap<>();
            for (ProgramTypeOf p : annotation.programTypes()) {
                all.put(p.program(), p);
            }
            for (AnnotatedElement e : optionElements()) {
                for (ProgramTypeOf p : AnnotationSupport.findRepeatableAnnotations(e, ProgramTypeOf.class)) {
                    all.put(p.program(), p);
                }
            }
            return List.copyOf(all.values());
        }
    }

    /** The loader options placed on a method itself (not inside its {@code @BpfTest}), as text for messages. */
    static List<String> methodOptions(Method m) {
        List<String> out = new ArrayList<>();
        for (Global g : AnnotationSupport.findRepeatableAnnotations(m, Global.class)) {
            out.add("@Global(name = \"" + g.name() + "\", value = \"" + g.value() + "\")");
        }
        for (MaxEntries e : AnnotationSupport.findRepeatableAnnotations(m, MaxEntries.class)) {
            out.add("@MaxEntries(map = \"" + e.map() + "\", value = " + e.value() + ")");
        }
        for (ProgramTypeOf p : AnnotationSupport.findRepeatableAnnotations(m, ProgramTypeOf.class)) {
            out.add("@ProgramTypeOf(program = \"" + p.program() + "\", type = " + p.type() + ")");
        }
        return out;
    }

    private ObjectLoading() {
    }

    static String name(AnnotatedElement element) {
        if (element instanceof Class<?> c) {
            return c.getName();
        }
        if (element instanceof Method m) {
            return m.getDeclaringClass().getName() + "." + m.getName() + "()";
        }
        return String.valueOf(element);
    }

    /** The nearest {@link BpfTest} that applies: the test method's, then the classes' from inner to outer. */
    static Declaration declaration(ExtensionContext context, boolean classScope) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isEmpty() || classScope && !(element.get() instanceof Class<?>)) {
                continue;
            }
            Optional<BpfTest> a = AnnotationSupport.findAnnotation(element.get(), BpfTest.class);
            if (a.isPresent()) {
                Declaration d = new Declaration(a.get(), element.get(),
                        classScope ? Optional.empty() : context.getTestMethod());
                if (d.objects().isEmpty()) {
                    throw new ExtensionConfigurationException(d.describe() + " names no object: name the BPF "
                            + "object(s) to load, e.g. @BpfTest(\"xdp_fw.bpf.o\")");
                }
                return d;
            }
        }
        throw new ExtensionConfigurationException("no @BpfTest applies to " + context.getDisplayName()
                + (classScope ? " at class level (static fields and @BeforeAll parameters need @BpfTest on the class)"
                : "") + ": annotate the test class with @BpfTest(\"your.bpf.o\")");
    }

    /** Finds each object and gives it a loader with the declaration's options; nothing is loaded yet. */
    static List<ObjectSet.Entry> prepare(Declaration d, ExtensionContext context) {
        List<ObjectSet.Entry> entries = new ArrayList<>();
        List<ObjectSpec> specs = new ArrayList<>();
        for (String requested : d.objects()) {
            Located found = locate(d, requested, context);
            BpfObjectLoader loader;
            ObjectSpec spec;
            try {
                loader = ParsedObjects.of(context).loader(found.bytes(), found.fileName());
                spec = loader.spec();
            } catch (BpfException e) {
                throw new ExtensionConfigurationException(unreadable(d, found, e), e);
            }
            entries.add(new ObjectSet.Entry(requested, found.fileName(), loader, null));
            specs.add(spec);
        }
        BpfTest a = d.annotation();
        for (Global g : d.globals()) {
            String what = "@Global(name = \"" + g.name() + "\", value = \"" + g.value() + "\")";
            applyTo(d, entries, specs, what, BpfObjectLoader.Named.GLOBAL, g.name(), (e, s) -> {
                        VariableSpec v = s.findVariable(g.name()).orElseThrow();
                        try {
                            e.loader().global(g.name(), GlobalValues.encode(s, v, g.value()));
                        } catch (IllegalArgumentException bad) {
                            throw new ExtensionConfigurationException(what + " in " + d.describe() + ": in "
                                    + s.name() + ", " + (bad.getCause() != null ? "" : "global '" + g.name() + "' ("
                                    + GlobalValues.describe(s, v) + "): ") + bad.getMessage());
                        }
                    });
        }
        for (MaxEntries m : d.maxEntries()) {
            String what = "@MaxEntries(map = \"" + m.map() + "\", value = " + m.value() + ")";
            if (m.value() <= 0) {
                throw new ExtensionConfigurationException(what + " in " + d.describe() + ": max_entries must be "
                        + "positive");
            }
            applyTo(d, entries, specs, what, BpfObjectLoader.Named.MAP, m.map(),
                    (e, s) -> e.loader().maxEntries(m.map(), m.value()));
        }
        for (ProgramTypeOf p : d.programTypes()) {
            String what = "@ProgramTypeOf(program = \"" + p.program() + "\", type = " + p.type() + ")";
            applyTo(d, entries, specs, what, BpfObjectLoader.Named.PROGRAM, p.program(),
                    (e, s) -> e.loader().programType(p.program(), p.type()));
        }
        for (String skip : a.skipPrograms()) {
            String what = "skipPrograms = \"" + skip + "\"";
            applyTo(d, entries, specs, what, BpfObjectLoader.Named.PROGRAM, skip,
                    (e, s) -> e.loader().skipProgram(skip));
        }
        for (String program : a.noCoverage()) {
            String what = "noCoverage = \"" + program + "\"";
            applyTo(d, entries, specs, what, BpfObjectLoader.Named.PROGRAM, program,
                    (e, s) -> e.loader().noCoverage(program));
        }
        if (a.logLevel() < 0 || a.logLevel() > 2) {
            throw new ExtensionConfigurationException(d.describe() + ": logLevel = " + a.logLevel()
                    + " is not a verifier log level: use 0, 1 or 2");
        }
        boolean coverage = Settings.coverage(context);
        Optional<Deterministic> deterministic = deterministic(context);
        Optional<String> memoryLimit = Settings.get(context, BpfTest.MAP_MEMORY_LIMIT).filter(s -> !s.isEmpty());
        for (ObjectSet.Entry e : entries) {
            e.loader().logLevel(a.logLevel());
            if (memoryLimit.isPresent()) {
                try {
                    e.loader().mapMemoryLimit(dev.bpfunit.spec.MapMemory.parseSize(memoryLimit.get()));
                } catch (IllegalArgumentException bad) {
                    throw new ExtensionConfigurationException(BpfTest.MAP_MEMORY_LIMIT + ": " + bad.getMessage());
                }
            }
            if (coverage) {
                e.loader().coverage(true);
            }
            if (deterministic.isPresent()) {
                e.loader().clock(BpfExtension.clock(context)).randomSeed(deterministic.get().seed());
            }
        }
        return entries;
    }

    /** The nearest {@link Deterministic} from the context's method outwards. */
    static Optional<Deterministic> deterministic(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isPresent()) {
                Optional<Deterministic> a = AnnotationSupport.findAnnotation(element.get(), Deterministic.class);
                if (a.isPresent()) {
                    return a;
                }
            }
        }
        return Optional.empty();
    }

    private interface Apply {
        void apply(ObjectSet.Entry entry, ObjectSpec spec);
    }

    /**
     * Applies an option to every object that has the thing it names; none having it is an error, worded by the
     * loader's own check ({@link BpfObjectLoader#missing}) for each object.
     */
    private static void applyTo(Declaration d, List<ObjectSet.Entry> entries, List<ObjectSpec> specs, String what,
                                BpfObjectLoader.Named kind, String name, Apply apply) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Optional<String> why = entries.get(i).loader().missing(kind, name);
            if (why.isEmpty()) {
                apply.apply(entries.get(i), specs.get(i));
            } else {
                missing.add(why.get());
            }
        }
        if (missing.size() == entries.size()) {
            throw new ExtensionConfigurationException(what + " in " + d.describe() + ": "
                    + String.join("; and ", missing));
        }
    }

    /** Loads every prepared object; on a failure closes what loaded and says what went wrong. */
    static ObjectSet load(Declaration d, List<ObjectSet.Entry> prepared, ExtensionContext context) {
        List<ObjectSet.Entry> loaded = new ArrayList<>();
        try {
            for (ObjectSet.Entry e : prepared) {
                BpfObject obj;
                try {
                    obj = e.loader().load();
                } catch (VerifierException ve) {
                    throw rejected(d, e, ve, context);
                } catch (BpfException be) {
                    throw new BpfTestException(d.describe() + " could not load " + e.fileName() + ": "
                            + be.getMessage(), be);
                }
                loaded.add(new ObjectSet.Entry(e.requested(), e.fileName(), e.loader(), obj));
            }
        } catch (RuntimeException failure) {
            Closeables.closeAllAfter(failure, List.of(new ObjectSet(loaded)));
            throw failure;
        }
        return new ObjectSet(loaded);
    }

    private static BpfTestException rejected(Declaration d, ObjectSet.Entry e, VerifierException ve,
                                             ExtensionContext context) {
        String method = logName(context);
        Path dir = Path.of(Settings.get(context, BpfTest.LOG_DIR).filter(s -> !s.isEmpty())
                .orElse(BpfTest.DEFAULT_LOG_DIR), context.getRequiredTestClass().getName());
        Path file = dir.resolve(method + "-" + ve.program() + ".log").toAbsolutePath();
        List<Throwable> problems = new ArrayList<>();
        String where;
        String saved = ve.verifierLog().bounded(SAVED_LOG_CHARS);
        try {
            Files.createDirectories(dir);
            Files.writeString(file, saved, StandardCharsets.UTF_8);
            where = "";
            java.util.Optional<String> dot = ve.controlFlowGraphDot();
            if (dot.isPresent()) {
                Path dotFile = dir.resolve(method + "-" + ve.program() + ".dot").toAbsolutePath();
                Files.writeString(dotFile, dot.get(), StandardCharsets.UTF_8);
                where = "the control-flow graph, the failing block in red, is in " + dotFile
                        + Graphviz.renderSvg(dotFile).map(svg -> " and " + svg).orElse("") + "\n  ";
            }
            where += (saved.length() < ve.log().length() ? "(its middle elided) " : "")
                    + "the whole verifier log is in " + file;
        } catch (IOException io) {
            problems.add(io);
            where = "the whole verifier log could not be written to " + file + " (" + io + "); it is in the cause's "
                    + "VerifierException#log()";
        }
        BpfTestException failure = new BpfTestException(d.describe() + ": the verifier rejected program '"
                + ve.program() + "' of " + e.fileName() + ":\n" + ve.getMessage() + "\n  " + where, ve);
        try {
            context.publishReportEntry(java.util.Map.of("bpfunit.verifier", ve.program() + " in " + e.fileName()
                    + " rejected", "bpfunit.verifier.log", file.toString()));
            JupiterCompat.publishTextFile(context, method + "-" + ve.program() + ".verifier.log",
                    p -> Files.writeString(p, saved, StandardCharsets.UTF_8));
        } catch (RuntimeException publishing) {
            problems.add(publishing);
        }
        problems.forEach(failure::addSuppressed);
        return failure;
    }

    /** The most characters of a verifier log saved or published: its head and tail, the middle elided. */
    static final int SAVED_LOG_CHARS = 1536 * 1024;

    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("\\[([^:\\]]+):([^\\]]*)]");

    /**
     * The name a verifier log of this context is saved under: the test method's name (or {@code class}), followed
     * by the index of every template invocation or dynamic test on the way from the class to it, as in
     * {@code blocks[3]} for the third invocation of a parameterized or repeated test, so that invocations do not
     * overwrite each other's logs.
     */
    static String logName(ExtensionContext context) {
        StringBuilder name = new StringBuilder(context.getTestMethod().map(Method::getName).orElse("class"));
        java.util.regex.Matcher m = SEGMENT.matcher(context.getUniqueId());
        while (m.find()) {
            String type = m.group(1);
            String value = m.group(2);
            if ((type.endsWith("-invocation") || type.startsWith("dynamic-")) && value.startsWith("#")) {
                name.append('[').append(value.substring(1)).append(']');
            }
        }
        return name.toString();
    }

    /** An object's bytes, its file name for messages, and where it was found. */
    record Located(byte[] bytes, String fileName, String where) {
    }

    /** Looks on the test classpath, then under {@link BpfTest#OBJECTS_DIR}, then at the path itself. */
    static Located locate(Declaration d, String requested, ExtensionContext context) {
        ClassLoader cl = context.getTestClass().map(Class::getClassLoader)
                .orElse(Thread.currentThread().getContextClassLoader());
        return locate(d, requested, cl, Settings.get(context, BpfTest.OBJECTS_DIR));
    }

    /**
     * {@link #locate(Declaration, String, ExtensionContext)} with the class loader to look in and the value of
     * {@link BpfTest#OBJECTS_DIR}.
     */
    static Located locate(Declaration d, String requested, ClassLoader cl, Optional<String> objectsDir) {
        List<String> names = new ArrayList<>(List.of(requested));
        if (!requested.endsWith(".o")) {
            names.add(requested + ".bpf.o");
        }
        for (String n : names) {
            String resource = n.startsWith("/") ? n.substring(1) : n;
            try (InputStream in = cl.getResourceAsStream(resource)) {
                if (in != null) {
                    return new Located(in.readAllBytes(), fileName(n), "classpath resource " + resource);
                }
            } catch (IOException io) {
                throw new ExtensionConfigurationException(d.describe() + ": cannot read classpath resource "
                        + resource + ": " + io.getMessage(), io);
            }
        }
        Optional<String> dir = objectsDir.filter(s -> !s.isEmpty());
        List<Path> paths = new ArrayList<>();
        for (String n : names) {
            dir.ifPresent(x -> paths.add(Path.of(x).resolve(n)));
        }
        for (String n : names) {
            paths.add(Path.of(n));
        }
        for (Path p : paths) {
            if (Files.isRegularFile(p)) {
                try {
                    return new Located(Files.readAllBytes(p), p.getFileName().toString(), p.toAbsolutePath().toString());
                } catch (IOException io) {
                    throw new ExtensionConfigurationException(d.describe() + ": cannot read " + p.toAbsolutePath()
                            + ": " + io.getMessage(), io);
                }
            }
        }
        throw new ExtensionConfigurationException(d.describe() + ": no BPF object '" + requested + "': looked on the "
                + "test classpath for " + String.join(" and ", names) + ", "
                + dir.map(x -> "under " + BpfTest.OBJECTS_DIR + " (" + Path.of(x).toAbsolutePath() + "), ")
                        .orElse("under " + BpfTest.OBJECTS_DIR + " (not set), ")
                + "and at " + Path.of(requested).toAbsolutePath() + ": put the object in src/test/resources, set "
                + BpfTest.OBJECTS_DIR + " to its directory, or give its path");
    }

    /** Why {@code found} cannot be used: it is not a BPF object bpfunit can read ({@code e} says what is wrong). */
    static String unreadable(Declaration d, Located found, BpfException e) {
        return d.describe() + ": " + found.where() + " is not a BPF object bpfunit can read: " + e.getMessage();
    }

    private static String fileName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
