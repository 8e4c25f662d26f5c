package dev.bpfunit.samples;

import dev.bpfunit.BpfObject;
import dev.bpfunit.Link;
import dev.bpfunit.Triggers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM that attaches programs and then waits to be killed, for {@link NothingLeftBehindTest}: prints
 * {@code prog <ids>} and {@code link <ids>}, then {@code ready}.
 */
public final class LiveChildMain {

    private LiveChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<Integer> progs = new ArrayList<>();
        List<Integer> links = new ArrayList<>();
        // kept reachable until the JVM is killed: an object the program no longer reaches is closed by its
        // Cleaner at the next GC, which would detach its links while the parent still looks at them
        List<Object> alive = new ArrayList<>();
        for (String object : args) {
            BpfObject obj = BpfObject.loader(Path.of(object)).global("filter_pid", Triggers.pid()).load();
            alive.add(obj);
            for (Link l : obj.attachAll()) {
                alive.add(l);
                progs.add(l.program().info().id());
                l.id().ifPresent(links::add);
            }
        }
        System.out.println("prog " + join(progs));
        System.out.println("link " + join(links));
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(600_000);     // until killed; the parent never lets it get here
        java.lang.ref.Reference.reachabilityFence(alive);
    }

    private static String join(List<Integer> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }
}
