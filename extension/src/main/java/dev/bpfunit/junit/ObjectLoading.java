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
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Finds the objects a {@link BpfTest} names, prepares their loaders with the annotation's options and
 * loads them, turning a verifier rejection into a test failure with the log saved and published.
 */
final class ObjectLoading {

    /** Where a {@link BpfTest} was found: the annotation and the class or method carrying it. */
    record Declaration(BpfTest annotation, AnnotatedElement element) {

        String describe() {
            return "@BpfTest on " + name(element);
        }

        List<String> objects() {
            List<String> all = new ArrayList<>(List.of(annotation.value()));
            all.addAll(List.of(annotation.objects()));
            return all;
        }

        List<Global> globals() {
            LinkedHashMap<String, Global> all = new LinkedHashMap<>();
            for (Global g : AnnotationSupport.findRepeatableAnnotations(element, Global.class)) {
                all.put(g.name(), g);
            }
            for (Global g : annotation.globals()) {
                all.put(g.name(), g);
            }
            return List.copyOf(all.values());
        }
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
                Declaration d = new Declaration(a.get(), element.get());
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
            BpfObjectLoader loader = BpfObject.loader(found.bytes(), found.fileName());
            ObjectSpec spec;
            try {
                spec = loader.spec();
            } catch (BpfException e) {
                throw new ExtensionConfigurationException(d.describe() + ": " + found.where() + " is not a BPF "
                        + "object bpfunit can read: " + e.getMessage(), e);
            }
            entries.add(new ObjectSet.Entry(requested, found.fileName(), loader, null));
            specs.add(spec);
        }
        BpfTest a = d.annotation();
        for (Global g : d.globals()) {
            String what = "@Global(name = \"" + g.name() + "\", value = \"" + g.value() + "\")";
            applyTo(d, entries, specs, what, "global variable", s -> s.findVariable(g.name()).isPresent(),
                    s -> s.variables().stream().map(VariableSpec::name).toList(), (e, s) -> {
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
        for (MaxEntries m : a.maxEntries()) {
            String what = "@MaxEntries(map = \"" + m.map() + "\", value = " + m.value() + ")";
            if (m.value() <= 0) {
                throw new ExtensionConfigurationException(what + " in " + d.describe() + ": max_entries must be "
                        + "positive");
            }
            applyTo(d, entries, specs, what, "map", s -> s.findMap(m.map()).isPresent(),
                    s -> s.maps().stream().map(x -> x.name()).toList(), (e, s) -> e.loader().maxEntries(m.map(),
                            m.value()));
        }
        for (ProgramTypeOf p : a.programTypes()) {
            String what = "@ProgramTypeOf(program = \"" + p.program() + "\", type = " + p.type() + ")";
            applyTo(d, entries, specs, what, "program", s -> s.findProgram(p.program()).isPresent(),
                    s -> s.programs().stream().map(x -> x.name()).toList(), (e, s) -> e.loader()
                            .programType(p.program(), p.type()));
        }
        for (String skip : a.skipPrograms()) {
            String what = "skipPrograms = \"" + skip + "\"";
            applyTo(d, entries, specs, what, "program", s -> s.findProgram(skip).isPresent(),
                    s -> s.programs().stream().map(x -> x.name()).toList(), (e, s) -> e.loader().skipProgram(skip));
        }
        if (a.logLevel() < 0 || a.logLevel() > 2) {
            throw new ExtensionConfigurationException(d.describe() + ": logLevel = " + a.logLevel()
                    + " is not a verifier log level: use 0, 1 or 2");
        }
        for (ObjectSet.Entry e : entries) {
            e.loader().logLevel(a.logLevel());
        }
        return entries;
    }

    private interface Apply {
        void apply(ObjectSet.Entry entry, ObjectSpec spec);
    }

    /** Applies an option to every object that has the thing it names; none having it is an error. */
    private static void applyTo(Declaration d, List<ObjectSet.Entry> entries, List<ObjectSpec> specs, String what,
                                String kind, Predicate<ObjectSpec> has,
                                java.util.function.Function<ObjectSpec, List<String>> names, Apply apply) {
        boolean any = false;
        for (int i = 0; i < entries.size(); i++) {
            if (has.test(specs.get(i))) {
                apply.apply(entries.get(i), specs.get(i));
                any = true;
            }
        }
        if (!any) {
            StringBuilder b = new StringBuilder(what + " in " + d.describe() + ": no " + kind + " of that name in ");
            for (int i = 0; i < specs.size(); i++) {
                List<String> n = names.apply(specs.get(i));
                b.append(i == 0 ? "" : "; nor in ").append(specs.get(i).name()).append(" (").append(kind)
                        .append(kind.endsWith("s") ? "es" : "s").append(": ")
                        .append(n.isEmpty() ? "none" : String.join(", ", n)).append(")");
            }
            throw new ExtensionConfigurationException(b.append(": fix the name").toString());
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
        try {
            Files.createDirectories(dir);
            Files.writeString(file, ve.log(), StandardCharsets.UTF_8);
            where = "the whole verifier log is in " + file;
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
                    p -> Files.writeString(p, ve.log(), StandardCharsets.UTF_8));
        } catch (RuntimeException publishing) {
            problems.add(publishing);
        }
        problems.forEach(failure::addSuppressed);
        return failure;
    }

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
        List<String> names = new ArrayList<>(List.of(requested));
        if (!requested.endsWith(".o")) {
            names.add(requested + ".bpf.o");
        }
        ClassLoader cl = context.getTestClass().map(Class::getClassLoader)
                .orElse(Thread.currentThread().getContextClassLoader());
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
        Optional<String> dir = Settings.get(context, BpfTest.OBJECTS_DIR).filter(s -> !s.isEmpty());
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

    private static String fileName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
