package dev.bpfunit.junit;

import dev.bpfunit.Cgroup;
import dev.bpfunit.NetNs;
import dev.bpfunit.NetkitPair;
import dev.bpfunit.VethPair;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The live fixtures {@link BpfTest} injects ({@link VethPair}, {@link NetkitPair}, {@link NetNs}, {@link Cgroup}): a new one for each
 * field or parameter, kept in the scope's store (the test, or the class for static fields and {@code @BeforeAll}
 * parameters) so that JUnit closes it when the scope ends, whatever happened.
 */
final class LiveFixtures {
    static final Set<Class<?>> TYPES = Set.of(VethPair.class, NetkitPair.class, NetNs.class, Cgroup.class);

    private LiveFixtures() {
    }

    static Object create(ExtensionContext context, boolean classScope, Class<?> type) {
        ExtensionContext scope = context;
        while (classScope && scope.getTestMethod().isPresent()) {
            scope = scope.getParent().orElseThrow();
        }
        AutoCloseable fixture;
        if (type == VethPair.class) {
            fixture = VethPair.create();
        } else if (type == NetkitPair.class) {
            fixture = NetkitPair.create();
        } else if (type == NetNs.class) {
            fixture = NetNs.create();
        } else if (type == Cgroup.class) {
            fixture = Cgroup.create();
        } else {
            throw new IllegalArgumentException("not a live fixture: " + type);
        }
        scope.getStore(BpfExtension.NAMESPACE).put("fixture:" + UUID.randomUUID(), new Stored(fixture));
        return fixture;
    }

    /**
     * A fixture in the store: Jupiter 5.13+ closes stored {@link AutoCloseable}s, 5.10 to 5.12 only
     * {@code CloseableResource}s, so it is both; each fixture's {@code close()} is idempotent.
     */
    @SuppressWarnings("deprecation")
    private record Stored(AutoCloseable fixture) implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            fixture.close();
        }
    }
}
