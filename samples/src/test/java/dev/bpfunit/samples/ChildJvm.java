package dev.bpfunit.samples;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command line of a child JVM started by a test: this JVM's {@code java}, its class path, and the options that
 * shape how it runs, so that a child in a kernel-matrix guest gets the guest's compiler and GC settings (C1 only,
 * serial GC under TCG: without them a child took 15-17 s there, against under 1 s natively) and native access.
 * Options that name a file (class-data archives, logs, dumps) stay with this JVM.
 */
final class ChildJvm {
    /** {@code -XX:} options whose value is a file or directory of this JVM's. */
    private static final Pattern OWN_FILE = Pattern.compile("-XX:[+-]?\\w*(File|Path|Dir|AtExit|ClassList)\\b.*");

    private ChildJvm() {
    }

    /** {@code java <options> -cp <class path> <main> <args>}. */
    static List<String> command(Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Of a JVM's input arguments, the {@code -XX:} options that name no file, and {@code --enable-native-access}. */
    static List<String> options(List<String> inputArguments) {
        return inputArguments.stream()
                .filter(a -> a.startsWith("-XX:") && !OWN_FILE.matcher(a).matches()
                        || a.startsWith("--enable-native-access="))
                .toList();
    }
}
