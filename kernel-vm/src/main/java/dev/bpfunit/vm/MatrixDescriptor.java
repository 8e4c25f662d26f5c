package dev.bpfunit.vm;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;

/**
 * A node of the kernel matrix on the host: a kernel's container, or the host's copy of a test or container that
 * runs in that kernel's guest (same display name and source as the original, unique id under the kernel's).
 */
final class MatrixDescriptor extends AbstractTestDescriptor {
    private final Type type;
    private final String legacyName;
    private final MatrixTarget target;

    private MatrixDescriptor(UniqueId id, String displayName, TestSource source, Type type, String legacyName,
                             MatrixTarget target) {
        super(id, displayName, source);
        this.type = type;
        this.legacyName = legacyName;
        this.target = target;
    }

    /** The container of one kernel: its children are the test classes its guest runs. */
    static MatrixDescriptor kernel(UniqueId engineId, MatrixTarget target) {
        return new MatrixDescriptor(engineId.append("kernel", target.value()), target.label(), null, Type.CONTAINER,
                target.label(), target);
    }

    /** The host's copy of a guest node; its reporting name is {@code [kernel 6.1] Class > test()}. */
    static MatrixDescriptor mirror(UniqueId id, String displayName, TestSource source, boolean test,
                                   MatrixTarget target, String path) {
        return new MatrixDescriptor(id, displayName, source, test ? Type.TEST : Type.CONTAINER,
                target.label() + " " + path, target);
    }

    @Override
    public Type getType() {
        return type;
    }

    /** A container may gain tests while its guest runs (parameterized and dynamic tests), so it is never pruned. */
    @Override
    public boolean mayRegisterTests() {
        return type == Type.CONTAINER;
    }

    @Override
    public String getLegacyReportingName() {
        return legacyName;
    }

    MatrixTarget target() {
        return target;
    }

    /**
     * The id of the engine that found this node on the host: in
     * {@code [engine:bpfunit-kernels]/[kernel:6.1]/[engine:junit-jupiter]/[class:X]}, {@code junit-jupiter}.
     */
    Optional<String> guestEngine() {
        List<UniqueId.Segment> s = getUniqueId().getSegments();
        return s.size() > 2 && s.get(2).getType().equals("engine") ? Optional.of(s.get(2).getValue())
                : Optional.empty();
    }

    /**
     * The engines that found the test classes of these kernels on the host, which are the only ones with anything
     * to discover in a guest given the same classes; empty when one of the classes does not say (then all run).
     */
    static List<String> guestEngines(Collection<? extends TestDescriptor> kernels) {
        TreeSet<String> engines = new TreeSet<>();
        for (TestDescriptor kernel : kernels) {
            for (TestDescriptor child : kernel.getChildren()) {
                Optional<String> engine = child instanceof MatrixDescriptor m ? m.guestEngine() : Optional.empty();
                if (engine.isEmpty()) {
                    return List.of();
                }
                engines.add(engine.get());
            }
        }
        return List.copyOf(engines);
    }
}
