package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.Cgroup;
import dev.bpfunit.Link;
import dev.bpfunit.NetNs;
import dev.bpfunit.VethPair;
import dev.bpfunit.XdpMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Live fixtures injected by {@code @BpfTest} as fields and parameters, closed with their scope. */
class LiveFixturesTest {

    static final List<AutoCloseable> SEEN = Collections.synchronizedList(new ArrayList<>());
    static final List<Link> LINKS = Collections.synchronizedList(new ArrayList<>());
    static final List<Path> CGROUPS = Collections.synchronizedList(new ArrayList<>());
    static final List<NetNs> SHARED = Collections.synchronizedList(new ArrayList<>());
    static final List<String> FAILURES = Collections.synchronizedList(new ArrayList<>());

    @BpfTest("junit/counter.bpf.o")
    static class Injected {
        static NetNs shared;
        VethPair veth;

        @Test
        void fieldsAndParameters(Cgroup cgroup, NetNs netns, BpfProgram xdp) {
            SEEN.add(veth);
            SEEN.add(netns);
            SHARED.add(shared);
            CGROUPS.add(cgroup.path());
            check(veth.first().isOperational(), "veth is up");
            check(cgroup.path().toFile().isDirectory(), "cgroup exists");
            check(!netns.isClosed() && !shared.isClosed(), "namespaces open");
            LINKS.add(xdp.attachXdp(veth.first(), XdpMode.GENERIC));
        }

        @Test
        void eachTestGetsItsOwn(VethPair parameter) {
            check(parameter != veth, "a parameter is not the field");
            check(!SEEN.contains(veth), "a new pair per test");
            SEEN.add(veth);
            SEEN.add(parameter);
        }

        static void check(boolean ok, String what) {
            if (!ok) {
                FAILURES.add(what);
            }
        }
    }

    @Test
    void fixturesAreInjectedAndClosedWithTheirScopeLinksFirst() {
        SEEN.clear();
        LINKS.clear();
        CGROUPS.clear();
        SHARED.clear();
        FAILURES.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(Injected.class)).execute()
                .testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(FAILURES).isEmpty();
        assertThat(SEEN).hasSize(4).allSatisfy(f -> {
            if (f instanceof NetNs ns) {
                assertThat(ns.isClosed()).isTrue();
            } else {
                assertThat(((VethPair) f).first().netns().isClosed()).isTrue();
            }
        });
        assertThat(SHARED).hasSize(1).allSatisfy(ns -> assertThat(ns.isClosed()).as("class-scoped netns").isTrue());
        assertThat(LINKS).hasSize(1).allSatisfy(l -> assertThat(l.isAttached()).isFalse());
        assertThat(CGROUPS).hasSize(1).allSatisfy(p -> assertThat(p).doesNotExist());
    }
}
