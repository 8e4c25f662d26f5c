package dev.bpfunit.assertj;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The BPF fixtures of these tests, from the test classpath. */
final class Fixtures {

    private Fixtures() {
    }

    static BpfObjectLoader loader(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/assertj/" + name + ".bpf.o")) {
            if (in == null) {
                throw new IllegalStateException("no fixture /assertj/" + name + ".bpf.o: run regen.sh");
            }
            return BpfObject.loader(in.readAllBytes(), name + ".bpf.o");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BpfObject load(String name) {
        return loader(name).load();
    }
}
