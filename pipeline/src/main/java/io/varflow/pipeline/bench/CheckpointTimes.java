package io.varflow.pipeline.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a job's checkpoints start and complete, seen from its checkpoint folder: the JobManager
 * creates {@code <dir>/<job-id>/chk-N} when it triggers checkpoint N and writes its {@code
 * _metadata} when N completes. Polled every {@link #POLL_MS} ms on a daemon thread, so times are
 * within that. Only retained checkpoints are seen, which is all of them when polling outpaces the
 * interval.
 */
final class CheckpointTimes implements AutoCloseable {

    static final long POLL_MS = 50;
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    /**
     * One completed checkpoint: its number, when it was triggered and when it completed (epoch ms).
     */
    record Completed(long number, long triggeredAt, long completedAt) {
        long durationMs() {
            return completedAt - triggeredAt;
        }
    }

    private final Path jobDir;
    private final Map<Long, Long> triggered = new ConcurrentHashMap<>();
    private final Map<Long, Long> completed = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean running = true;

    CheckpointTimes(String checkpointDir, String jobId) {
        Path root =
                checkpointDir.startsWith("file:")
                        ? Path.of(URI.create(checkpointDir))
                        : Path.of(checkpointDir);
        this.jobDir = root.resolve(jobId);
        this.poller = new Thread(this::pollUntilClosed, "checkpoint-times");
        poller.setDaemon(true);
        poller.start();
    }

    /** Checkpoints completed so far, by number. */
    List<Completed> completed() {
        List<Completed> list = new ArrayList<>();
        completed.forEach(
                (n, at) -> {
                    Long start = triggered.get(n);
                    if (start != null) {
                        list.add(new Completed(n, start, at));
                    }
                });
        list.sort((a, b) -> Long.compare(a.number(), b.number()));
        return list;
    }

    private void pollUntilClosed() {
        while (running) {
            long now = System.currentTimeMillis();
            if (Files.isDirectory(jobDir)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(jobDir, "chk-*")) {
                    for (Path child : children) {
                        Matcher m = CHECKPOINT.matcher(child.getFileName().toString());
                        if (m.matches()) {
                            long n = Long.parseLong(m.group(1));
                            triggered.putIfAbsent(n, now);
                            if (!completed.containsKey(n)
                                    && Files.exists(child.resolve("_metadata"))) {
                                completed.put(n, now);
                            }
                        }
                    }
                } catch (IOException e) {
                    // a checkpoint folder was removed while listing; the next poll sees the rest
                }
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.interrupt();
        poller.join(1000);
    }
}
