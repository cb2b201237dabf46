package io.varflow.pipeline.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files, read in chunks: checkpoints are gigabytes. */
public final class FileDigests {

    private FileDigests() {}

    /** Lower-case hex SHA-256 of {@code file}'s bytes. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in).sha256();
        }
    }

    /**
     * Lower-case hex SHA-256 of everything left in {@code in}, and its length; does not close it.
     */
    public static Digest sha256(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return new Digest(HexFormat.of().formatHex(digest.digest()), total);
    }

    /** A digest and the number of bytes it covers. */
    public record Digest(String sha256, long bytes) {}

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
