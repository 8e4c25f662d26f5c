package dev.bpfunit.junit;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.TraceLog;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Executable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import dev.bpfunit.CoverageRecorder;
import dev.bpfunit.TestClock;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The extension behind {@link BpfTest}: checks that BPF is usable, loads the objects per scope (class for
 * static fields and {@code @BeforeAll} parameters, test for everything else), keeps them in its
 * {@link ExtensionContext.Store} so JUnit closes them when the scope ends, and injects them.
 */
final class BpfExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver, InvocationInterceptor {

    static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BpfExtension.class);
    private static final String OBJECTS = "objects";
    /** Marks a test whose own objects (or loader) were prepared, so its method's options took effect. */
    private static final String OWN_OBJECTS = "own-objects";
    private static final Set<Class<?>> INJECTABLE = Set.of(BpfObject.class, BpfProgram.class, BpfMap.class,
            Globals.class, BpfObjectLoader.class, TraceLog.class, TestClock.class, dev.bpfunit.VethPair.class,
            dev.bpfunit.NetNs.class, dev.bpfunit.Cgroup.class, dev.bpfunit.NetkitPair.class);
    private static final String CLOCK = "clock";
    /**
     * The types each of the extension's field and parameter annotations goes on. Anywhere else it would be ignored, or
     * the field injected as if unannotated: an {@code @Map} on a {@code BpfProgram} field got the object's only
     * program.
     */
    private static final java.util.Map<Class<? extends Annotation>, List<Class<?>>> ANNOTATED_TYPES = java.util.Map.of(
            Program.class, List.of(BpfProgram.class),
            Attach.class, List.of(BpfProgram.class),
            Map.class, List.of(BpfMap.class),
            FromObject.class, List.of(BpfObject.class, BpfProgram.class, BpfMap.class, Globals.class,
                    BpfObjectLoader.class));

    /**
     * Where this process cannot use BPF (and {@link BpfTest#REQUIRE} is not set), disables each test with the
     * reason, so that every one is reported as skipped (a class aborted as a whole shows as "Tests run: 0"); the
     * class itself stays enabled and its {@code @BeforeAll}/{@code @AfterAll} methods are skipped instead.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        JupiterCompat.requireSupportedVersion();
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("BPF availability is decided for each test");
        }
        return Settings.skipReason(context).map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("this process can use BPF"));
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
                                         ExtensionContext context) throws Throwable {
        proceedUnlessSkipped(invocation, context);
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
                                        ExtensionContext context) throws Throwable {
        proceedUnlessSkipped(invocation, context);
    }

    /** Class-level lifecycle methods would see the null static fields of a class whose tests are all skipped. */
    private static void proceedUnlessSkipped(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (Settings.skipReason(context).isPresent()) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        JupiterCompat.requireSupportedVersion();
        if (Settings.skipReason(context).isPresent()) {
            return;     // every test is disabled with the reason: nothing to inject
        }
        if (Settings.coverage(context)) {
            JupiterCompat.computeIfAbsent(context.getRoot().getStore(NAMESPACE), CoverageReport.class.getName(),
                    k -> CoverageReport.of(context), CoverageReport.class);
        }
        List<Field> fields = fields(context.getRequiredTestClass(), ModifierSupport::isStatic);
        if (!fields.isEmpty()) {
            inject(context, true, fields, null);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Settings.checkBpfAvailable(context);
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            List<Field> fields = fields(instance.getClass(), ModifierSupport::isNotStatic);
            if (!fields.isEmpty()) {
                inject(context, false, fields, instance);
            }
        }
        // Objects the test method's parameters will get are loaded here, so that a rejected program fails the test
        // as it does for a field (JUnit would otherwise wrap the failure in "Failed to resolve parameter [...]").
        boolean needsObjects = java.util.Arrays.stream(context.getRequiredTestMethod().getParameterTypes())
                .anyMatch(t -> t == BpfObject.class || t == BpfProgram.class || t == BpfMap.class
                        || t == Globals.class);
        if (needsObjects) {
            objects(context, false, ObjectLoading.declaration(context, false));
            context.getStore(NAMESPACE).put(OWN_OBJECTS + ":" + context.getUniqueId(), Boolean.TRUE);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LiveAttach.publish(context);
        if (Settings.coverage(context) || CoverageRecorder.global().enabled()) {
            CoverageRecorder.global().attribute(context.getRequiredTestClass().getSimpleName() + "."
                    + ObjectLoading.logName(context));
        }
    }

    /** The clock of the scope whose objects are being prepared: the class's or the test's, made on first use. */
    static TestClock clock(ExtensionContext scope) {
        return JupiterCompat.computeIfAbsent(scope.getStore(NAMESPACE), CLOCK + ":" + scope.getUniqueId(),
                k -> new TestClock(), TestClock.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        // a parameter carrying one of the extension's annotations is its to resolve, or to refuse with the reason
        return INJECTABLE.contains(parameter.getParameter().getType())
                || ANNOTATED_TYPES.keySet().stream().anyMatch(parameter::isAnnotated);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        JupiterCompat.requireSupportedVersion();
        Settings.checkBpfAvailable(context);
        boolean classScope = context.getTestMethod().isEmpty();
        Executable ex = parameter.getDeclaringExecutable();
        String where = "parameter " + parameter.getIndex() + " (" + parameter.getParameter().getType().getSimpleName()
                + ") of " + ex.getDeclaringClass().getSimpleName() + "." + (ex instanceof java.lang.reflect.Constructor<?>
                ? "<init>" : ex.getName()) + "()";
        try {
            checkAnnotationsFit(parameter.getParameter(), parameter.getParameter().getType(), where);
            return resolve(context, classScope, parameter.getParameter().getType(), parameter.getParameter(), where);
        } catch (BpfTestException failure) {
            // The same message as a field gets; JUnit passes a ParameterResolutionException through unwrapped.
            ParameterResolutionException clean = new ParameterResolutionException(failure.getMessage(),
                    failure.getCause());
            for (Throwable s : failure.getSuppressed()) {
                clean.addSuppressed(s);
            }
            throw clean;
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        checkMethodOptionsApplied(context, invocation);
        invocation.proceed();
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        checkMethodOptionsApplied(context, invocation);
        invocation.proceed();
    }

    /**
     * A test method carrying loader options ({@code @Global}, {@code @MaxEntries}, {@code @ProgramTypeOf}) whose test
     * got no object of its own (it uses only the class's shared objects, or none) would silently run without them.
     */
    private static void checkMethodOptionsApplied(ExtensionContext context, Invocation<Void> invocation) {
        Method method = context.getRequiredTestMethod();
        List<String> options = ObjectLoading.methodOptions(method);
        if (options.isEmpty() || context.getStore(NAMESPACE).get(OWN_OBJECTS + ":" + context.getUniqueId()) != null) {
            return;
        }
        invocation.skip();
        throw new ExtensionConfigurationException(String.join(", ", options) + " on "
                + ObjectLoading.name(method) + " applies only to the objects loaded fresh for this test (instance "
                + "fields, the method's parameters), but this test got none: the objects of static fields and "
                + "@BeforeAll parameters are loaded once for the class, before any test, so a method cannot change "
                + "them. Put the option on the class (or in its @BpfTest), or inject the object as an instance field "
                + "or a parameter of this method");
    }

    /**
     * The fields to inject: those of an injectable type, after checking every field that carries one of the
     * extension's annotations (those of another type included, which the check refuses).
     */
    private static List<Field> fields(Class<?> type, Predicate<Field> scope) {
        List<Field> fields = ReflectionSupport.findFields(type, f -> scope.test(f) && (INJECTABLE.contains(f.getType())
                || ANNOTATED_TYPES.keySet().stream().anyMatch(f::isAnnotationPresent)), HierarchyTraversalMode.TOP_DOWN);
        for (Field f : fields) {
            checkAnnotationsFit(f, f.getType(), where(f));
        }
        for (Field f : fields) {
            if (ModifierSupport.isFinal(f)) {
                throw new ExtensionConfigurationException("@BpfTest cannot inject the final field " + where(f)
                        + ": remove 'final'");
            }
        }
        return fields;
    }

    /** Refuses an annotation of the extension on a field or parameter of a type it does not go with. */
    private static void checkAnnotationsFit(AnnotatedElement element, Class<?> type, String where) {
        for (java.util.Map.Entry<Class<? extends Annotation>, List<Class<?>>> fit : ANNOTATED_TYPES.entrySet()) {
            Optional<? extends Annotation> annotation = AnnotationSupport.findAnnotation(element, fit.getKey());
            if (annotation.isEmpty() || fit.getValue().contains(type)) {
                continue;
            }
            String name = "@" + fit.getKey().getSimpleName();
            String instead = annotation.get() instanceof Map m && type == BpfProgram.class
                    ? ": a program is named with @Program(\"" + m.value() + "\")"
                    : annotation.get() instanceof Program p && type == BpfMap.class
                    ? ": a map is named with @Map(\"" + p.value() + "\")" : "";
            throw new ExtensionConfigurationException(name + " on " + where + ", a " + type.getSimpleName() + ": "
                    + name + " goes on " + fit.getValue().stream().map(Class::getSimpleName)
                    .collect(java.util.stream.Collectors.joining(", ")) + " fields and parameters only" + instead);
        }
    }

    private static String where(Field f) {
        return "field " + f.getDeclaringClass().getSimpleName() + "." + f.getName();
    }

    private static void inject(ExtensionContext context, boolean classScope, List<Field> fields, Object instance) {
        for (Field f : fields) {
            Object value = resolve(context, classScope, f.getType(), f, where(f));
            try {
                f.setAccessible(true);
                f.set(instance, value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ExtensionConfigurationException("@BpfTest cannot set " + where(f) + ": " + e.getMessage()
                        + ": make the field non-final and accessible", e);
            }
        }
    }

    private static Object resolve(ExtensionContext context, boolean classScope, Class<?> type,
                                  AnnotatedElement element, String where) {
        if (LiveFixtures.TYPES.contains(type)) {
            return LiveFixtures.create(context, classScope, type);
        }
        ObjectLoading.Declaration d = ObjectLoading.declaration(context, classScope);
        if (type == TestClock.class) {
            if (ObjectLoading.deterministic(context).isEmpty()) {
                throw new ExtensionConfigurationException("TestClock " + where + ": the objects are loaded with the "
                        + "kernel's clock: annotate the test class (or method) with @Deterministic");
            }
            return clock(scope(context, classScope));
        }
        if (!classScope) {
            context.getStore(NAMESPACE).put(OWN_OBJECTS + ":" + context.getUniqueId(), Boolean.TRUE);
        }
        if (type == BpfObjectLoader.class) {
            List<ObjectSet.Entry> prepared = ObjectLoading.prepare(d, context);
            return pickObject(d, prepared, element, where, "BpfObjectLoader").loader();
        }
        ObjectSet objects = objects(context, classScope, d);
        if (type == BpfObject.class) {
            return pickObject(d, objects.entries(), element, where, "BpfObject").object();
        }
        if (type == Globals.class) {
            return pickObject(d, objects.entries(), element, where, "Globals").object().globals();
        }
        List<ObjectSet.Entry> from = fromObject(d, objects.entries(), element, where);
        if (type == BpfProgram.class) {
            Optional<Program> named = AnnotationSupport.findAnnotation(element, Program.class);
            BpfProgram program = pick(d, from, named.map(Program::value).orElse(""), "program", "@Program", where,
                    o -> o.programs().stream().map(BpfProgram::name).toList(), BpfObject::program, n -> true);
            AnnotationSupport.findAnnotation(element, Attach.class).ifPresent(a -> LiveAttach.attach(program, a, where));
            return program;
        }
        if (type == TraceLog.class) {
            return LiveAttach.traceLog(context);
        }
        Optional<Map> named = AnnotationSupport.findAnnotation(element, Map.class);
        return pick(d, from, named.map(Map::value).orElse(""), "map", "@Map", where,
                o -> o.maps().stream().map(BpfMap::name).toList(), BpfObject::map, n -> !n.startsWith("."));
    }

    /** The objects of the scope, loaded on first use and kept in the scope's store, which closes them. */
    private static ExtensionContext scope(ExtensionContext context, boolean classScope) {
        ExtensionContext owner = context;
        while (classScope && owner.getTestMethod().isPresent()) {
            owner = owner.getParent().orElseThrow();
        }
        return owner;
    }

    private static ObjectSet objects(ExtensionContext context, boolean classScope, ObjectLoading.Declaration d) {
        ExtensionContext scope = scope(context, classScope);
        // Stores inherit their parents' values: the key names the scope, so a test never gets its class's objects.
        return JupiterCompat.computeIfAbsent(scope.getStore(NAMESPACE), OBJECTS + ":" + scope.getUniqueId(),
                k -> ObjectLoading.load(d, ObjectLoading.prepare(d, scope), scope), ObjectSet.class);
    }

    private static List<ObjectSet.Entry> fromObject(ObjectLoading.Declaration d, List<ObjectSet.Entry> entries,
                                                    AnnotatedElement element, String where) {
        Optional<FromObject> from = AnnotationSupport.findAnnotation(element, FromObject.class);
        if (from.isEmpty()) {
            return entries;
        }
        List<ObjectSet.Entry> matching = entries.stream().filter(e -> e.matches(from.get().value())).toList();
        if (matching.isEmpty()) {
            throw new ExtensionConfigurationException("@FromObject(\"" + from.get().value() + "\") on " + where
                    + ": " + d.describe() + " loads no such object; it loads " + fileNames(entries)
                    + ": use one of these names");
        }
        return matching;
    }

    private static ObjectSet.Entry pickObject(ObjectLoading.Declaration d, List<ObjectSet.Entry> entries,
                                              AnnotatedElement element, String where, String type) {
        List<ObjectSet.Entry> from = fromObject(d, entries, element, where);
        if (from.size() > 1) {
            throw new ExtensionConfigurationException(type + " " + where + ": " + d.describe() + " loads "
                    + from.size() + " objects, " + fileNames(from) + ": pick one with @FromObject(\""
                    + from.get(0).fileName() + "\")");
        }
        return from.get(0);
    }

    private static <T> T pick(ObjectLoading.Declaration d, List<ObjectSet.Entry> entries, String name, String kind,
                              String annotation, String where, Function<BpfObject, List<String>> names,
                              java.util.function.BiFunction<BpfObject, String, T> get, Predicate<String> unnamedCandidate) {
        record Candidate(ObjectSet.Entry entry, String name) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (ObjectSet.Entry e : entries) {
            for (String n : names.apply(e.object())) {
                if (name.isEmpty() ? unnamedCandidate.test(n) : n.equals(name)) {
                    candidates.add(new Candidate(e, n));
                }
            }
        }
        String subject = (name.isEmpty() ? "a " + kind + " without a name" : annotation + "(\"" + name + "\")") + " on "
                + where;
        if (candidates.isEmpty()) {
            StringBuilder b = new StringBuilder(subject + ": no " + (name.isEmpty() ? "" : "such ") + kind + " in ");
            for (int i = 0; i < entries.size(); i++) {
                List<String> all = names.apply(entries.get(i).object());
                b.append(i == 0 ? "" : "; nor in ").append(entries.get(i).fileName()).append(" (").append(kind)
                        .append("s: ").append(all.isEmpty() ? "none" : String.join(", ", all)).append(")");
            }
            throw new ExtensionConfigurationException(b.append(name.isEmpty() ? "" : ": fix the name").toString());
        }
        if (candidates.size() > 1) {
            List<String> described = candidates.stream().map(c -> "'" + c.name() + "' in " + c.entry().fileName()).toList();
            Candidate first = candidates.get(0);
            String fix = name.isEmpty()
                    ? "name one, e.g. " + annotation + "(\"" + first.name() + "\")"
                    : "pick the object with @FromObject(\"" + first.entry().fileName() + "\")";
            throw new ExtensionConfigurationException(subject + ": " + candidates.size() + " candidates, " + kind + "s "
                    + String.join(" and ", described) + ": " + fix);
        }
        Candidate c = candidates.get(0);
        return get.apply(c.entry().object(), c.name());
    }

    private static String fileNames(List<ObjectSet.Entry> entries) {
        return String.join(", ", entries.stream().map(ObjectSet.Entry::fileName).toList());
    }
}
