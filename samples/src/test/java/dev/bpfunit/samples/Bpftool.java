package dev.bpfunit.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bpfunit.error.BpfException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Loads BPF objects with the {@code bpftool} binary (that is, with libbpf) to give reference data
 * that tests of bpfunit's own loader compare against.
 *
 * <p>{@link #loadAll(Path)} runs {@code bpftool prog loadall OBJECT DIR/progs pinmaps DIR/maps} in a
 * fresh directory under {@code /sys/fs/bpf} (mounting bpffs there if needed), then reads every pinned
 * program and map back with {@code bpftool -j ... show pinned}. The result is {@link AutoCloseable}:
 * closing it unpins everything and removes the directory, which unloads the programs and maps
 * unless something else holds them. Needs root and bpftool on the {@code PATH}.
 */
final class Bpftool {
    /** Where bpffs is mounted; the only place pins can live. */
    static final Path BPFFS = Path.of("/sys/fs/bpf");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 120;

    private Bpftool() {
    }

    /** Thrown when bpftool is missing, fails or prints something unexpected; carries its output. */
    static final class BpftoolException extends BpfException {
        private static final long serialVersionUID = 1L;
        private final String output;

        BpftoolException(String message, String output) {
            super(output.isBlank() ? message : message + "\n" + lastLines(output, 25));
            this.output = output;
        }

        /** Everything bpftool wrote to stderr and stdout, e.g. the whole verifier log. */
        String output() {
            return output;
        }

        private static String lastLines(String text, int count) {
            List<String> lines = text.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
        }
    }

    /**
     * A program as the kernel reports it after libbpf loaded it.
     *
     * @param pinName     the file name libbpf pinned it under: the ELF function name
     * @param name        the kernel's name, the function name cut to 15 characters
     * @param type        bpftool's name of the program type, e.g. {@code xdp}, {@code sched_cls}
     * @param tag         the kernel's tag (SHA-1 prefix of the instructions as submitted, map fds zeroed)
     * @param xlatedBytes size of the instructions after verifier rewrites
     * @param jited       whether the JIT compiled it
     * @param jitedBytes  size of the native code, 0 when not jited
     * @param mapIds      ids of the maps the program uses (libbpf also binds the object's .rodata map)
     * @param gplCompatible whether the kernel saw a GPL-compatible license
     */
    record ProgInfo(String pinName, int id, String name, String type, String tag, int xlatedBytes,
                   boolean jited, int jitedBytes, List<Integer> mapIds, boolean gplCompatible) {
        ProgInfo {
            mapIds = List.copyOf(mapIds);
        }

        /** Instructions after verifier rewrites: one per 8 bytes (an ld_imm64 counts twice). */
        int xlatedInstructions() {
            return xlatedBytes / 8;
        }
    }

    /**
     * A map as the kernel reports it after libbpf created it.
     *
     * @param pinName    the file name libbpf pinned it under: libbpf's map name, with '.' turned into '_'
     *                   (e.g. {@code globals_rodata})
     * @param name       the kernel's name, cut to 15 characters (libbpf names .data etc. {@code <obj>.<section>})
     * @param type       bpftool's name of the map type, e.g. {@code hash}, {@code percpu_array}
     * @param flags      map_flags, e.g. 0x80 BPF_F_RDONLY_PROG | 0x400 BPF_F_MMAPABLE for .rodata
     * @param frozen     whether userspace froze it (libbpf freezes .rodata after writing it)
     */
    record MapInfo(String pinName, int id, String name, String type, int keySize, int valueSize,
               int maxEntries, long flags, boolean frozen) {
    }

    /** What {@code bpftool prog run} reported: return value, mean duration, data and context out. */
    record RunResult(int retval, long durationNs, byte[] dataOut, byte[] ctxOut) {
    }

    /** The bytes of one element of a {@code map dump} JSON entry's "key" or "value" (hex strings). */
    static byte[] bytes(JsonNode hexArray) {
        byte[] out = new byte[hexArray.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hexArray.get(i).asText().substring(2), 16);
        }
        return out;
    }

    /** What one {@code loadall} created; closing it unpins everything. */
    static final class Loaded implements AutoCloseable {
        private final Path object;
        private final Path dir;
        private final List<ProgInfo> programs;
        private final List<MapInfo> maps;
        private boolean closed;

        private Loaded(Path object, Path dir, List<ProgInfo> programs, List<MapInfo> maps) {
            this.object = object;
            this.dir = dir;
            this.programs = List.copyOf(programs);
            this.maps = List.copyOf(maps);
        }

        /** The programs, sorted by pin name. */
        List<ProgInfo> programs() {
            return programs;
        }

        /** The maps, sorted by pin name. */
        List<MapInfo> maps() {
            return maps;
        }

        /** The bpffs directory holding {@code progs/} and {@code maps/}; gone after close. */
        Path directory() {
            return dir;
        }

        /** The program pinned as {@code pinName} (its ELF function name). */
        ProgInfo program(String pinName) {
            return programs.stream().filter(p -> p.pinName().equals(pinName)).findFirst()
                    .orElseThrow(() -> new BpftoolException("no program '" + pinName + "' in " + object.getFileName()
                            + "; programs: " + programs.stream().map(ProgInfo::pinName).collect(Collectors.joining(", ")), ""));
        }

        /** The map pinned as {@code pinName} (libbpf's map name with '.' turned into '_'). */
        MapInfo map(String pinName) {
            return maps.stream().filter(m -> m.pinName().equals(pinName)).findFirst()
                    .orElseThrow(() -> new BpftoolException("no map '" + pinName + "' in " + object.getFileName()
                            + "; maps: " + maps.stream().map(MapInfo::pinName).collect(Collectors.joining(", ")), ""));
        }

        /**
         * Runs the pinned program {@code pinName} with {@code bpftool prog run}: {@code data} (or null) as
         * data_in, {@code ctx} (or null) as ctx_in, {@code repeat} times (0: bpftool's default, 1).
         */
        RunResult run(String pinName, byte[] data, byte[] ctx, int repeat) {
            program(pinName);
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory("bpftool-run-");
                List<String> command = new ArrayList<>(List.of("bpftool", "-j", "prog", "run", "pinned",
                        dir.resolve("progs").resolve(pinName).toString()));
                if (data != null) {
                    Files.write(tmp.resolve("data_in"), data);
                    command.addAll(List.of("data_in", tmp.resolve("data_in").toString(), "data_out",
                            tmp.resolve("data_out").toString(), "data_size_out", Integer.toString(data.length + 4096)));
                }
                if (ctx != null) {
                    Files.write(tmp.resolve("ctx_in"), ctx);
                    command.addAll(List.of("ctx_in", tmp.resolve("ctx_in").toString(), "ctx_out",
                            tmp.resolve("ctx_out").toString()));
                }
                if (repeat > 0) {
                    command.addAll(List.of("repeat", Integer.toString(repeat)));
                }
                JsonNode j = JSON.readTree(Bpftool.run(command));
                byte[] dataOut = Files.exists(tmp.resolve("data_out")) ? Files.readAllBytes(tmp.resolve("data_out"))
                        : new byte[0];
                byte[] ctxOut = Files.exists(tmp.resolve("ctx_out")) ? Files.readAllBytes(tmp.resolve("ctx_out"))
                        : new byte[0];
                return new RunResult(required(j, "retval", tmp).asInt(), j.path("duration").asLong(), dataOut, ctxOut);
            } catch (IOException e) {
                throw new BpftoolException("bpftool prog run " + pinName + ": " + e.getMessage(), "");
            } finally {
                if (tmp != null) {
                    deleteTree(tmp);
                }
            }
        }

        /** {@code bpftool -j map dump pinned} of the map pinned as {@code pinName}: the JSON array. */
        JsonNode dump(String pinName) {
            map(pinName);
            String out = Bpftool.run(List.of("bpftool", "-j", "map", "dump", "pinned",
                    dir.resolve("maps").resolve(pinName).toString()));
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new BpftoolException("bpftool map dump printed no JSON: " + e.getMessage(), out);
            }
        }

        /** {@code bpftool map update pinned ... key hex ... value hex ...}. */
        void update(String pinName, byte[] key, byte[] value) {
            map(pinName);
            List<String> command = new ArrayList<>(List.of("bpftool", "map", "update", "pinned",
                    dir.resolve("maps").resolve(pinName).toString(), "key", "hex"));
            for (byte b : key) {
                command.add(String.format("%02x", b & 0xff));
            }
            command.addAll(List.of("value", "hex"));
            for (byte b : value) {
                command.add(String.format("%02x", b & 0xff));
            }
            Bpftool.run(command);
        }

        /** Unpins every program and map and removes the directory. Idempotent. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                deleteTree(dir);
            }
        }
    }

    /** Whether {@code bpftool} can be run here (found on the PATH and answering {@code version}). */
    static boolean available() {
        try {
            run(List.of("bpftool", "version"));
            return true;
        } catch (BpftoolException e) {
            return false;
        }
    }

    /** The prefix of the pin directories: {@code /sys/fs/bpf/bpfunit-ref-<pid>}, one per JVM. */
    static final String PIN_PREFIX = "bpfunit-ref-";
    private static Path jvmPins;

    /**
     * This JVM's pin directory, made on first use and removed when the JVM exits; on first use the directories
     * of JVMs that are gone (killed before their exit hooks ran) are removed, so nothing pinned outlives a run
     * past the next start.
     */
    static synchronized Path jvmPinDirectory() {
        if (jvmPins == null) {
            removeStalePins(BPFFS);
            Path dir = BPFFS.resolve(PIN_PREFIX + ProcessHandle.current().pid());
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new BpftoolException("cannot create " + dir + ": " + e.getMessage(), "");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "bpfunit-unpin"));
            jvmPins = dir;
        }
        return jvmPins;
    }

    /** Removes the {@code bpfunit-ref-<pid>} directories under {@code bpffs} whose process no longer runs. */
    static List<Path> removeStalePins(Path bpffs) {
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(bpffs)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith(PIN_PREFIX)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name.substring(PIN_PREFIX.length()));
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
                    deleteTree(d);
                    removed.add(d);
                }
            }
        } catch (IOException e) {
            throw new BpftoolException("cannot list " + bpffs + ": " + e.getMessage(), "");
        }
        return removed;
    }

    /** The pin directory of the last load this thread began: what a failed load must have removed. */
    private static final ThreadLocal<Path> LAST_LOAD_DIRECTORY = new ThreadLocal<>();

    /** The pin directory of the last {@link #loadAll} this thread began, whether it succeeded or not. */
    static java.util.Optional<Path> lastLoadDirectory() {
        return java.util.Optional.ofNullable(LAST_LOAD_DIRECTORY.get());
    }

    /** Loads every program of {@code object}, taking program types from section names as libbpf does. */
    static Loaded loadAll(Path object) {
        return loadAll(object, null);
    }

    /**
     * Loads every program of {@code object} as {@code type} (bpftool's type name, e.g. {@code xdp}),
     * for objects whose section names tell libbpf nothing; {@code null} means "from the section names".
     */
    static Loaded loadAll(Path object, String type) {
        if (!Files.isRegularFile(object)) {
            throw new BpftoolException("BPF object " + object + " does not exist or is not a file", "");
        }
        ensureBpffs();
        Path dir = jvmPinDirectory().resolve(UUID.randomUUID().toString().substring(0, 8));
        LAST_LOAD_DIRECTORY.set(dir);
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new BpftoolException("cannot create " + dir + ": " + e.getMessage(), "");
        }
        try {
            List<String> command = new ArrayList<>(List.of("bpftool", "prog", "loadall",
                    object.toAbsolutePath().toString(), dir.resolve("progs").toString()));
            if (type != null) {
                command.addAll(List.of("type", type));
            }
            command.addAll(List.of("pinmaps", dir.resolve("maps").toString()));
            run(command);
            List<ProgInfo> programs = pinned(dir.resolve("progs")).map(Bpftool::showProgram).toList();
            List<MapInfo> maps = pinned(dir.resolve("maps")).map(Bpftool::showMap).toList();
            return new Loaded(object, dir, programs, maps);
        } catch (RuntimeException e) {
            deleteTree(dir);
            if (e instanceof BpftoolException b) {
                throw new BpftoolException("bpftool could not load " + object.getFileName() + ": " + firstLine(b.getMessage()), b.output());
            }
            throw e;
        }
    }

    /** The names of the programs attached to a cgroup, as {@code bpftool cgroup show} lists them. */
    static List<String> cgroupProgramNames(Path cgroup) {
        try {
            JsonNode j = JSON.readTree(run(List.of("bpftool", "-j", "cgroup", "show", cgroup.toString())));
            List<String> names = new java.util.ArrayList<>();
            j.forEach(n -> names.add(n.path("name").asText()));
            return names;
        } catch (java.io.IOException e) {
            throw new BpftoolException("bpftool cgroup show " + cgroup + ": unreadable JSON: " + e.getMessage(), "");
        }
    }

    private static ProgInfo showProgram(Path pin) {
        JsonNode j = showJson("prog", pin);
        List<Integer> mapIds = new ArrayList<>();
        j.path("map_ids").forEach(id -> mapIds.add(id.asInt()));
        return new ProgInfo(pin.getFileName().toString(), required(j, "id", pin).asInt(),
                required(j, "name", pin).asText(), required(j, "type", pin).asText(),
                required(j, "tag", pin).asText(), required(j, "bytes_xlated", pin).asInt(),
                j.path("jited").asBoolean(false), j.path("bytes_jited").asInt(0), mapIds,
                j.path("gpl_compatible").asBoolean(false));
    }

    private static MapInfo showMap(Path pin) {
        JsonNode j = showJson("map", pin);
        return new MapInfo(pin.getFileName().toString(), required(j, "id", pin).asInt(),
                required(j, "name", pin).asText(), required(j, "type", pin).asText(),
                required(j, "bytes_key", pin).asInt(), required(j, "bytes_value", pin).asInt(),
                required(j, "max_entries", pin).asInt(), required(j, "flags", pin).asLong(),
                j.path("frozen").asInt(0) != 0);
    }

    /** {@code bpftool -j <kind> show id <id>}: what bpftool says about a live program or link. */
    static JsonNode showId(String kind, int id) {
        String out = run(List.of("bpftool", "-j", kind, "show", "id", Integer.toString(id)));
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new BpftoolException("bpftool " + kind + " show id " + id + " printed no JSON: " + e.getMessage(), out);
        }
    }

    /** Whether {@code bpftool <kind> show id <id>} finds it (exit status 0). */
    static boolean exists(String kind, int id) {
        try {
            Process p = new ProcessBuilder("bpftool", kind, "show", "id", Integer.toString(id))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BpftoolException("bpftool " + kind + " show id " + id + " did not finish", "");
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new BpftoolException("cannot run bpftool: " + e.getMessage(), "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BpftoolException("interrupted running bpftool", "");
        }
    }

    private static JsonNode showJson(String kind, Path pin) {
        String out = run(List.of("bpftool", "-j", kind, "show", "pinned", pin.toString()));
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new BpftoolException("bpftool " + kind + " show pinned " + pin + " printed no JSON: " + e.getMessage(), out);
        }
    }

    private static JsonNode required(JsonNode node, String field, Path pin) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BpftoolException("bpftool's JSON for " + pin + " has no '" + field + "'", node.toString());
        }
        return value;
    }

    private static Stream<Path> pinned(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty(); // an object without maps gets no maps directory
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList().stream();
        } catch (IOException e) {
            throw new BpftoolException("cannot list " + dir + ": " + e.getMessage(), "");
        }
    }

    /** Mounts bpffs on /sys/fs/bpf unless it is there already. */
    private static void ensureBpffs() {
        try {
            boolean mounted = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .map(line -> line.split(" "))
                    .anyMatch(f -> f.length > 2 && f[1].equals(BPFFS.toString()) && f[2].equals("bpf"));
            if (!mounted) {
                run(List.of("mount", "-t", "bpf", "bpf", BPFFS.toString()));
            }
        } catch (IOException e) {
            throw new BpftoolException("cannot read /proc/self/mounts to find bpffs: " + e.getMessage(), "");
        }
    }

    /** Runs a command; returns its stdout, or throws with its stderr and stdout when it fails. */
    private static String run(List<String> command) {
        Path err = null;
        try {
            err = Files.createTempFile("bpftool-", ".err");
            Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BpftoolException(String.join(" ", command) + ": no answer within " + TIMEOUT_SECONDS + " s", "");
            }
            String stdout = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                String stderr = Files.readString(err);
                throw new BpftoolException(String.join(" ", command) + ": exit status " + process.exitValue(),
                        stderr + stdout);
            }
            return stdout;
        } catch (IOException e) {
            throw new BpftoolException("cannot run " + command.get(0) + " (" + e.getMessage()
                    + "); install it (Debian: apt-get install bpftool)", "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BpftoolException(String.join(" ", command) + ": interrupted", "");
        } finally {
            if (err != null) {
                try {
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new BpftoolException("cannot unpin " + dir + ": " + e.getMessage(), "");
        }
    }

    private static String firstLine(String text) {
        return Optional.ofNullable(text).map(t -> t.lines().findFirst().orElse("")).orElse("");
    }
}
