package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which daemon the container backend asks, and what a user reads when it does not answer. */
class DockerDaemonTest {
    @Test
    void defaultsToTheSystemSocket() {
        DockerDaemon daemon = DockerDaemon.of(Map.of());

        assertThat(daemon.address()).hasToString("unix:///var/run/docker.sock");
        assertThat(daemon.describe()).contains("DOCKER_HOST is not set");
    }

    /** The message names the socket tried and where it came from, and never asks for variables already set. */
    @Test
    void aSocketWithNoDaemonIsNamedWithTheFix(@TempDir Path dir) {
        String socket = "unix://" + dir.resolve("docker.sock");
        DockerDaemon daemon = DockerDaemon.of(Map.of("DOCKER_HOST", socket));

        assertThat(daemon.answers()).isFalse();
        assertThatThrownBy(daemon::connect).isInstanceOf(VmException.class)
                .hasMessageStartingWith("cannot use the Docker daemon at " + socket + " (DOCKER_HOST): ")
                .hasMessageContaining("no daemon listens there").hasMessageContaining("start-dockerd.sh")
                .hasMessageNotContaining("TESTCONTAINERS").hasMessageNotContaining("set DOCKER_HOST");
    }

    @Test
    void refusesWhatItCannotSpeak() {
        assertThatThrownBy(() -> DockerDaemon.of(Map.of("DOCKER_HOST", "ssh://build@host")))
                .isInstanceOf(VmException.class).hasMessageContaining("only unix:// sockets and tcp://");
        assertThatThrownBy(() -> DockerDaemon.of(Map.of("DOCKER_HOST", "tcp://host:2376", "DOCKER_TLS_VERIFY", "1")))
                .isInstanceOf(VmException.class).hasMessageContaining("does not speak TLS");
        assertThat(DockerDaemon.of(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375")).address().getPort()).isEqualTo(2375);
    }
}
