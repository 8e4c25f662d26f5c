package dev.bpfunit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM with a low {@code ulimit -n} by {@link OpenFilesLimitTest}: loads an object again and again
 * without closing it, until a load fails, and prints the failure's class and message.
 */
public final class OpenFilesProbe {
    private OpenFilesProbe() {
    }

    public static void main(String[] args) throws IOException {
        Path object = Files.createTempFile("bpfunit-probe", ".bpf.o");
        try (InputStream in = OpenFilesProbe.class.getResourceAsStream("/elf/xdp_fw.bpf.o")) {
            Files.write(object, in.readAllBytes());
        }
        List<BpfObject> kept = new ArrayList<>();
        try {
            for (int i = 0; i < 10_000; i++) {
                kept.add(BpfObject.load(object));
            }
            System.out.println("NO FAILURE");
        } catch (RuntimeException e) {
            System.out.println("FAILURE " + e.getClass().getName() + ": " + e.getMessage());
            // every fd in use now: the next read of the object file fails too
            List<java.io.Closeable> filler = new ArrayList<>();
            try {
                while (true) {
                    filler.add(Files.newInputStream(object));
                }
            } catch (IOException full) {
                try {
                    BpfObject.loader(object).spec();
                    System.out.println("READ OK");
                } catch (RuntimeException e2) {
                    System.out.println("READ FAILURE " + e2.getClass().getName() + ": " + e2.getMessage());
                }
            } finally {
                for (java.io.Closeable c : filler) {
                    c.close();
                }
            }
        } finally {
            kept.forEach(BpfObject::close);
            Files.deleteIfExists(object);
        }
    }
}
