package dev.bpfunit.vm;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.testcontainers.shaded.com.github.dockerjava.core.DefaultDockerClientConfig;
import org.testcontainers.shaded.com.github.dockerjava.core.DockerClientImpl;

/**
 * The Docker daemon the container backend talks to, and a docker-java client connected straight to it.
 *
 * <p>Why not Testcontainers' {@code DockerClientFactory} or {@code GenericContainer}: before it hands out a client,
 * Testcontainers (2.0.5) resolves the Docker host's IP address for port mapping. On a unix socket inside a container
 * (where {@code /.dockerenv} exists) it reads the gateway of the daemon's {@code bridge} network, and a dockerd
 * started for the first time reports none, so it falls back to running {@code alpine:3.17} to read the default
 * route, and pulls it: without a registry every first container use waited two minutes and failed. It also may
 * pull its reaper (Ryuk) and startup-check images, and writes {@code ~/.testcontainers.properties}; all of this
 * depends on environment variables and property files the user may or may not have. bpfunit maps no ports and
 * removes its containers itself, so it needs none of it. It builds docker-java's own client for one explicit
 * daemon address: docker-java's API and its zero-dependency transport ({@code docker-java-api},
 * {@code docker-java-transport-zerodep}, which Testcontainers depends on) and docker-java's core, which Testcontainers
 * ships relocated under {@code org.testcontainers.shaded} (a Testcontainers upgrade that moves it fails the build,
 * never a run). Not Testcontainers' {@code DockerClientProviderStrategy.getClientForConfig} either: its client
 * looks up registry credentials for every container it creates through {@code DockerClientFactory.getInfo()},
 * which runs Testcontainers' daemon discovery (another daemon maybe, and a write of
 * {@code ~/.testcontainers.properties}). Nothing is ever pulled, no host address is looked up, and no
 * {@code TESTCONTAINERS_*} variable or Testcontainers property file matters.
 *
 * <p>The address is {@code DOCKER_HOST} when set (a {@code unix://} socket or a plain {@code tcp://} address),
 * else {@value #DEFAULT_SOCKET}. TLS ({@code DOCKER_TLS_VERIFY}) and Docker CLI contexts are not supported.
 */
final class DockerDaemon {
    static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";

    private final URI address;
    private final boolean fromEnvironment;

    private DockerDaemon(URI address, boolean fromEnvironment) {
        this.address = address;
        this.fromEnvironment = fromEnvironment;
    }

    /** The daemon this process's environment names ({@code DOCKER_HOST}), else the default socket. */
    static DockerDaemon fromEnvironment() {
        return of(System.getenv());
    }

    /** The daemon the given environment names. */
    static DockerDaemon of(Map<String, String> environment) {
        String host = environment.get("DOCKER_HOST");
        boolean set = host != null && !host.isBlank();
        URI address;
        try {
            address = URI.create(set ? host.trim() : DEFAULT_SOCKET);
        } catch (IllegalArgumentException e) {
            throw new VmException("DOCKER_HOST=" + host + " is not an address (unix:///path/docker.sock or"
                    + " tcp://host:port): " + e.getMessage(), e);
        }
        String scheme = String.valueOf(address.getScheme());
        if (!scheme.equals("unix") && !scheme.equals("tcp")) {
            throw new VmException("DOCKER_HOST=" + host + ": only unix:// sockets and tcp:// addresses are supported");
        }
        String tls = environment.get("DOCKER_TLS_VERIFY");
        if (scheme.equals("tcp") && tls != null && !tls.isEmpty() && !tls.equals("0")) {
            throw new VmException("DOCKER_TLS_VERIFY is set for " + address + ", but the container backend does not"
                    + " speak TLS to the Docker daemon; use its unix socket (DOCKER_HOST=unix:///var/run/docker.sock)");
        }
        return new DockerDaemon(address, set);
    }

    /** The daemon's address, e.g. {@code unix:///var/run/docker.sock}. */
    URI address() {
        return address;
    }

    /** The address and where it came from, for messages. */
    String describe() {
        return address + (fromEnvironment ? " (DOCKER_HOST)" : " (the default; DOCKER_HOST is not set)");
    }

    /**
     * A client connected to the daemon, which answered a ping; the caller closes it.
     *
     * @throws VmException naming the address tried and what to do, if the daemon does not answer
     */
    DockerClient connect() {
        DockerClient client;
        try {
            // the API version is left to the daemon (unversioned paths): Docker 20.10 speaks 1.41, Docker 29 no
            // longer takes versions below 1.44
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(address.toString()).withDockerTlsVerify(false).build();
            client = DockerClientImpl.getInstance(config,
                    new ZerodepDockerHttpClient.Builder().dockerHost(address).build());
        } catch (RuntimeException e) {
            throw unusable(e);
        }
        try {
            client.pingCmd().exec();
            return client;
        } catch (RuntimeException e) {
            closeQuietly(client);
            throw unusable(e);
        }
    }

    /** True if the daemon answers a ping. */
    boolean answers() {
        try (DockerClient client = connect()) {
            return true;
        } catch (VmException | IOException e) {
            return false;
        }
    }

    private VmException unusable(RuntimeException e) {
        String fix;
        Path socket = address.getScheme().equals("unix") ? Path.of(address.getPath()) : null;
        if (socket != null && !Files.exists(socket)) {
            fix = "no daemon listens there: start one (as root: kernel-vm/start-dockerd.sh where no systemd runs"
                    + " docker, else systemctl start docker)"
                    + (fromEnvironment ? ", or point DOCKER_HOST at a running daemon" : ", or set DOCKER_HOST to the"
                    + " socket of a running daemon");
        } else if (socket != null && !(Files.isReadable(socket) && Files.isWritable(socket))) {
            fix = "this user may not use the socket: run as root or join the socket's group (usually docker)";
        } else {
            fix = "check that the daemon runs and answers there (docker -H " + address + " info)";
        }
        return new VmException("cannot use the Docker daemon at " + describe() + ": " + ContainerRunner.rootMessage(e)
                + "; " + fix, e);
    }

    private static void closeQuietly(DockerClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // the connection failed already; nothing to release beyond it
        }
    }
}
