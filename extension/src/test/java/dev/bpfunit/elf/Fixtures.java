package dev.bpfunit.elf;

/** The committed fixtures under {@code src/test/resources/elf}, read by {@link dev.bpfunit.rawelf.Fixtures}. */
final class Fixtures {
    private Fixtures() {
    }

    static byte[] bytes(String name) {
        return dev.bpfunit.rawelf.Fixtures.bytes(name);
    }

    static String text(String name) {
        return dev.bpfunit.rawelf.Fixtures.text(name);
    }
}
