package io.varflow.pipeline.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the newest complete checkpoint under a local checkpoint directory, to resume a stopped job.
 */
public final class Checkpoints {

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    private Checkpoints() {}

    /**
     * The newest {@code <dir>/<job-id>/chk-N} that holds a {@code _metadata} file (a completed
     * checkpoint), across all jobs that wrote under {@code checkpointDir} ({@code file:} URI or
     * path).
     */
    public static Optional<Path> latest(String checkpointDir) {
        Path root =
                checkpointDir.startsWith("file:")
                        ? Path.of(URI.create(checkpointDir))
                        : Path.of(checkpointDir);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(root)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(Checkpoints::completedIn)
                    .max(
                            Comparator.comparingLong(Checkpoints::modified)
                                    .thenComparingLong(Checkpoints::number));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    private static Stream<Path> completedIn(Path jobDir) {
        try (Stream<Path> children = Files.list(jobDir)) {
            return children
                    .filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .toList()
                    .stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static long modified(Path checkpoint) {
        try {
            return Files.getLastModifiedTime(checkpoint.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long number(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}
