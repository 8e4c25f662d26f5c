package dev.bpfunit.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line entry point: runs a command in a VM booting a chosen kernel, in the current directory,
 * streams its output and exits with its exit status, so a CI can wrap a whole build.
 *
 * <pre>
 * bpfunit-vm --kernel 6.12 [--memory 2G] [--cpus 2] [--timeout 30m] [--writable DIR]... [--module NAME]... -- mvn -o test
 * bpfunit-vm --container [--image NAME] [--timeout 30m] [--writable DIR]... -- mvn -o test
 * </pre>
 *
 * <p>The current directory is writable in the guest; the rest of the host is read-only. The command gets the
 * caller's environment. Exit status: the command's, or 124 for a timeout, 125 for any other failure of the VM
 * (panic, crash, failed boot, bad arguments).
 */
public final class Main {
    static final int EXIT_TIMEOUT = 124;
    static final int EXIT_VM_FAILURE = 125;
    private static final String USAGE = """
            usage: bpfunit-vm --kernel VERSION|VMLINUZ [--memory 2G] [--cpus 2] [--timeout 30m]
                              [--writable DIR]... [--module NAME]... [--quiet|--verbose] -- COMMAND [ARG]...
                   bpfunit-vm --container [--image NAME] [--timeout 30m] [--writable DIR]... -- COMMAND [ARG]...
              --kernel    a Debian kernel version (6.1, 6.12, 6.12.117, 6.1.0-56-amd64) or a vmlinuz file
              --container run in a privileged Docker container on the host's kernel instead (the host's /usr,
                          /etc, /opt read-only; the current directory and ~/.m2 writable)
              --image     a local image for --container instead of the host's own programs
              --memory    guest memory (default 2G)
              --cpus      guest CPUs (default 2)
              --timeout   longest run, boot included (default 30m; units ms, s, m, h)
              --writable  another host directory the guest may write (the current one always is)
              --module    another kernel module to load in the guest (e.g. veth)
              --quiet     do not print the boot time and outcome on stderr
              --verbose   show the whole boot console (all kernel messages)
            exit status: the command's; 124 on timeout; 125 if the VM failed (panic, crash, boot, arguments)""";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the process exit status. */
    static int run(String[] args) {
        String kernel = null;
        String memory = "2G";
        int cpus = 2;
        Duration timeout = Duration.ofMinutes(30);
        List<Path> writable = new ArrayList<>();
        List<String> modules = new ArrayList<>();
        boolean quiet = false;
        boolean container = false;
        String image = null;
        boolean verbose = false;
        List<String> command = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--" -> {
                        command.addAll(List.of(args).subList(i + 1, args.length));
                        i = args.length;
                    }
                    case "--kernel" -> kernel = value(args, ++i, arg);
                    case "--memory" -> memory = value(args, ++i, arg);
                    case "--cpus" -> cpus = Integer.parseInt(value(args, ++i, arg));
                    case "--timeout" -> timeout = VmSpec.parseDuration(value(args, ++i, arg));
                    case "--writable" -> writable.add(Path.of(value(args, ++i, arg)));
                    case "--module" -> modules.add(value(args, ++i, arg));
                    case "--container" -> container = true;
                    case "--image" -> {
                        image = value(args, ++i, arg);
                        container = true;
                    }
                    case "--quiet" -> quiet = true;
                    case "--verbose" -> verbose = true;
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            if (kernel == null && !container) {
                throw new IllegalArgumentException("give --kernel, or --container to use the host's kernel");
            }
            if (kernel != null && container) {
                throw new IllegalArgumentException("--kernel and --container exclude each other: a container runs"
                        + " on the host's kernel");
            }
            if (command.isEmpty()) {
                throw new IllegalArgumentException("no command; put it after --");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bpfunit-vm: " + e.getMessage() + "\n" + USAGE);
            return EXIT_VM_FAILURE;
        }

        try {
            Path cwd = Path.of("").toAbsolutePath();
            Map<String, String> env = new LinkedHashMap<>(System.getenv());
            env.keySet().removeIf(name -> !name.matches("[A-Za-z_][A-Za-z0-9_]*"));
            if (container) {
                return runInContainer(command, cwd, env, image, timeout, writable, quiet);
            }
            VmSpec spec = VmSpec.of(KernelImage.parse(kernel), command)
                    .withWorkingDir(cwd)
                    .withEnvironment(env)
                    .withMemory(memory)
                    .withCpus(cpus)
                    .withTimeout(timeout)
                    .withWritableDir(cwd)
                    .withExtraModules(modules);
            for (Path dir : writable) {
                spec = spec.withWritableDir(dir);
            }
            VmRunner runner = verbose ? new VmRunner().verbose() : new VmRunner();
            VmResult result = runner.run(spec, System.out::println);
            System.out.flush();
            if (!quiet || result.outcome() != VmResult.Outcome.EXITED) {
                System.err.println("bpfunit-vm: " + spec.kernel() + ": " + (result.outcome() == VmResult.Outcome.EXITED
                        ? "command exited with status " + result.exitCode() + ", boot "
                        + result.bootTime().map(d -> d.toMillis() + " ms").orElse("?")
                        + result.start().afterBootTime() + ", total "
                        + result.elapsed().toMillis() + " ms"
                        : result.describe()));
            }
            return exitStatus(result);
        } catch (VmException | IllegalArgumentException e) {
            System.err.println("bpfunit-vm: " + e.getMessage());
            return EXIT_VM_FAILURE;
        }
    }

    private static int runInContainer(List<String> command, Path cwd, Map<String, String> env, String image,
                                      Duration timeout, List<Path> writable, boolean quiet) {
        ContainerSpec spec = ContainerSpec.of(command).withWorkingDir(cwd).withEnvironment(env).withTimeout(timeout);
        if (image != null) {
            spec = spec.withImage(image);
        }
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        if (java.nio.file.Files.isDirectory(m2)) {
            spec = spec.withWritableDir(m2);
        }
        for (Path dir : writable) {
            spec = spec.withWritableDir(dir);
        }
        VmResult result = new ContainerRunner().run(spec, System.out::println);
        System.out.flush();
        if (!quiet || result.outcome() != VmResult.Outcome.EXITED) {
            System.err.println("bpfunit-vm: container: " + (result.outcome() == VmResult.Outcome.EXITED
                    ? "command exited with status " + result.exitCode() + ", total " + result.elapsed().toMillis()
                    + " ms" : result.describe()));
        }
        return exitStatus(result);
    }

    private static int exitStatus(VmResult result) {
        return switch (result.outcome()) {
            case EXITED -> result.exitCode();
            case TIMEOUT -> EXIT_TIMEOUT;
            default -> EXIT_VM_FAILURE;
        };
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
