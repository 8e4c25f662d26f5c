package dev.bpfunit.vm;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The POSIX shell script both backends run as root in the guest: an optional prelude, then change to the working
 * directory and replace the shell by the command with exactly the given environment and stdin from /dev/null.
 */
final class CommandScript {
    /** The exit status when the working directory does not exist in the guest. */
    static final int MISSING_WORKING_DIR = 125;

    private CommandScript() {
    }

    static String of(String prelude, Path workingDir, Map<String, String> environment, List<String> command) {
        StringBuilder script = new StringBuilder("# written by bpfunit-vm for one run\n")
                .append(prelude)
                .append("exec </dev/null\n")
                .append("PATH=").append(VmSpec.DEFAULT_PATH).append('\n');
        String dir = workingDir.toString();
        script.append("cd ").append(quote(dir)).append(" || { echo ")
                .append(quote("bpfunit-vm: working directory " + dir + " does not exist in the guest"))
                .append(" >&2; exit ").append(MISSING_WORKING_DIR).append("; }\n");
        script.append("exec env -i");
        for (Map.Entry<String, String> e : environment.entrySet()) {
            script.append(' ').append(quote(e.getKey() + "=" + e.getValue()));
        }
        for (String arg : command) {
            script.append(' ').append(quote(arg));
        }
        return script.append('\n').toString();
    }

    /** Quotes a word for POSIX sh with single quotes. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
