package dev.bpfunit.vm;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixture run in a guest JVM: prints the kernel release and writes its arguments into a result file. */
public final class GuestHello {
    private GuestHello() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("guest jvm on " + System.getProperty("os.version"));
        Files.writeString(Path.of(args[0], "result.txt"), String.join(",", args) + "\n");
        System.exit(5);
    }
}
