package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The child JVMs of LeftBehindTest and NothingLeftBehindTest run with this JVM's flags, not with its files. */
class ChildJvmTest {

    @Test
    void aChildGetsTheFlagsThatShapeTheJvmButNoneNamingAFile() {
        List<String> parent = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:CompileThresholdScaling=4",
                "-XX:SharedArchiveFile=/cache/app.jsa", "-Xshare:auto", "-XX:ArchiveClassesAtExit=/tmp/x.jsa",
                "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=/tmp", "-Xlog:class+load:file=/tmp/log",
                "-Dbpfunit.guest=true", "--enable-native-access=ALL-UNNAMED", "-Xmx512m");

        assertThat(ChildJvm.options(parent)).containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:CompileThresholdScaling=4", "-XX:+HeapDumpOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void theCommandRunsTheMainClassOnThisClassPath() {
        List<String> command = ChildJvm.command(LeftBehindChild.class, "kill");

        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(command.subList(command.size() - 4, command.size())).containsExactly("-cp",
                System.getProperty("java.class.path"), LeftBehindChild.class.getName(), "kill");
    }
}
