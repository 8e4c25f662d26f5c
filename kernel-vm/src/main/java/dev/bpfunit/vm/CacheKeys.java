package dev.bpfunit.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digests that name what this module caches (class-data archives, uncompressed kernels, saved guests, the
 * host-root image): SHA-256 of a text describing what the cached thing depends on, its first bytes in hex.
 */
final class CacheKeys {
    private CacheKeys() {
    }

    /** A fresh SHA-256 digest. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The first {@code bytes} bytes of {@code digest}'s result, in hex. */
    static String hex(MessageDigest digest, int bytes) {
        return HexFormat.of().formatHex(digest.digest(), 0, bytes);
    }

    /** The first {@code bytes} bytes of the SHA-256 of {@code text} (UTF-8), in hex. */
    static String hex(String text, int bytes) {
        MessageDigest digest = sha256();
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        return hex(digest, bytes);
    }

    /**
     * A name for what is made from {@code file} (a kernel's uncompressed image, a decompressed module): the first 8
     * bytes, in hex, of the digest of its absolute path, size and modification time.
     */
    static String ofFile(Path file) throws IOException {
        Path source = file.toAbsolutePath().normalize();
        java.nio.file.attribute.BasicFileAttributes attrs = Files.readAttributes(source,
                java.nio.file.attribute.BasicFileAttributes.class);
        return hex(source + "\n" + attrs.size() + "\n" + attrs.lastModifiedTime().toMillis(), 8);
    }

    /**
     * Appends a line that changes when {@code file} does: its size and modification time, or {@code absent} when it
     * is not a regular file.
     */
    static void describe(Path file, StringBuilder text) throws IOException {
        if (Files.isRegularFile(file)) {
            text.append(Files.size(file)).append(' ').append(Files.getLastModifiedTime(file).toMillis()).append('\n');
        } else {
            text.append("absent\n");
        }
    }
}
