package dev.bpfunit.vm;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A Docker image made locally from nothing but the skeleton of the host's root directory (the {@code /bin},
 * {@code /lib*} symlinks of a merged-/usr system, empty mount points), to be run with the host's {@code /usr},
 * {@code /etc} and {@code /opt} mounted read-only: the host's own programs in a container, with no registry.
 *
 * <p>The image is built once ({@code FROM scratch} plus the skeleton as a tar, no base image to pull) and tagged {@code bpfunit-hostroot:<hash of the layout>},
 * so a later run finds it.
 */
final class HostRootImage {
    static final String REPOSITORY = "bpfunit-hostroot";
    /** Host directories the container sees read-only (those that exist). */
    static final List<String> READ_ONLY_DIRS = List.of("/usr", "/etc", "/opt");
    private static final List<String> LINKS_OR_DIRS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");
    private static final List<String> EMPTY_DIRS = List.of("dev", "proc", "sys", "run", "tmp", "root", "home",
            "var", "var/tmp", "mnt");

    /** One top-level entry of the skeleton: a symlink (target set) or an empty directory. */
    record Entry(String name, String linkTarget, int mode) {
    }

    private final List<Entry> entries;
    private final List<String> readOnlyDirs;

    private HostRootImage(List<Entry> entries, List<String> readOnlyDirs) {
        this.entries = List.copyOf(entries);
        this.readOnlyDirs = List.copyOf(readOnlyDirs);
    }

    /** The skeleton of this host's root, and the host directories to mount read-only over it. */
    static HostRootImage ofHost() {
        List<Entry> entries = new ArrayList<>();
        List<String> readOnly = new ArrayList<>();
        for (String name : LINKS_OR_DIRS) {
            Path path = Path.of("/", name);
            try {
                if (Files.isSymbolicLink(path)) {
                    entries.add(new Entry(name, Files.readSymbolicLink(path).toString(), 0777));
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    entries.add(new Entry(name, null, 0755));
                    readOnly.add("/" + name);
                }
            } catch (IOException e) {
                throw new VmException("cannot read the host's /" + name + ": " + e.getMessage(), e);
            }
        }
        for (String name : EMPTY_DIRS) {
            entries.add(new Entry(name, null, name.endsWith("tmp") ? 01777 : 0755));
        }
        for (String dir : READ_ONLY_DIRS) {
            if (Files.isDirectory(Path.of(dir))) {
                entries.add(new Entry(dir.substring(1), null, 0755));
                readOnly.add(dir);
            }
        }
        return new HostRootImage(entries, readOnly);
    }

    /** The host directories to mount read-only at the same path. */
    List<String> readOnlyDirs() {
        return readOnlyDirs;
    }

    /** {@code bpfunit-hostroot:<12 hex digits of the layout's hash>}. */
    String tag() {
        MessageDigest sha = CacheKeys.sha256();
        for (Entry e : entries) {
            sha.update((e.name() + "|" + e.linkTarget() + "|" + e.mode() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return REPOSITORY + ":" + CacheKeys.hex(sha, 6);
    }

    /** The skeleton as a tar archive, which the image adds to its empty root. */
    byte[] toTar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Entry e : entries) {
                TarArchiveEntry entry;
                if (e.linkTarget() != null) {
                    entry = new TarArchiveEntry(e.name(), TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(e.linkTarget());
                } else {
                    entry = new TarArchiveEntry(e.name() + "/");
                }
                entry.setMode((e.linkTarget() != null ? 0120000 : 0040000) | e.mode());
                entry.setUserId(0);
                entry.setGroupId(0);
                entry.setModTime(0);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The build context: a Dockerfile ({@code FROM scratch}, the skeleton added, a label) and the skeleton's tar. */
    byte[] buildContext() {
        String dockerfile = "FROM scratch\nADD skeleton.tar /\nLABEL dev.bpfunit.vm=hostroot\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            addFile(tar, "Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8));
            addFile(tar, "skeleton.tar", toTar());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void addFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0100644);
        entry.setModTime(0);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /**
     * Builds the image in the daemon unless it already has this tag; returns the tag. The build starts
     * {@code FROM scratch}, so it needs no base image and no registry ({@code pull} is off as well).
     */
    String ensure(DockerClient docker) {
        String tag = tag();
        try {
            docker.inspectImageCmd(tag).exec();
            return tag;
        } catch (NotFoundException missing) {
            try {
                docker.buildImageCmd(new ByteArrayInputStream(buildContext()))
                        .withTags(Set.of(tag)).withPull(false).withRemove(true)
                        .exec(new BuildImageResultCallback()).awaitImageId();
            } catch (RuntimeException e) {
                throw new VmException("cannot build the container image " + tag + " from the host's root skeleton: "
                        + ContainerRunner.rootMessage(e), e);
            }
            return tag;
        }
    }
}
