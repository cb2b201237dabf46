package io.varflow.pipeline.bench;

import io.varflow.pipeline.cli.DurationFlags;
import io.varflow.pipeline.cli.JobSettingsOptions;
import io.varflow.pipeline.cli.UserInputException;
import io.varflow.pipeline.cli.WorkDirs;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import io.varflow.pipeline.embedded.EmbeddedStack;
import io.varflow.pipeline.job.GeneratorFactories;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow bench-latency}: how long results take to become visible under a backlog. On the
 * embedded stack, it produces a backlog of bulk generation requests at once, then submits
 * interactive edit requests into it one by one, and prints, from a {@code read_committed} reader,
 * the time from each request's images being stored (its ResultEvent's {@code completedAt}) to its
 * ResultEvent being visible, for the edits and for the backlog, and the durations of the
 * checkpoints that completed while the backlog drained.
 */
@Command(
        name = "bench-latency",
        mixinStandardHelpOptions = true,
        description = {
            "Result latency under a backlog: stored -> visible (p50/p95/p99) for interactive edits and bulk requests,",
            "and checkpoint durations, on a local stack. --set job.result-delivery=at-least-once compares the opt-in mode."
        })
public final class BenchLatencyCommand implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(50);

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin JobSettingsOptions settings;

    @Option(
            names = "--backlog",
            defaultValue = "3000",
            description = "Bulk requests produced at once (default ${DEFAULT-VALUE}).")
    int backlog;

    @Option(
            names = "--count",
            defaultValue = "1",
            description = "Images per bulk request (default ${DEFAULT-VALUE}).")
    int count;

    @Option(
            names = "--edits",
            defaultValue = "10",
            description =
                    "Interactive edits submitted into the backlog (default ${DEFAULT-VALUE}).")
    int edits;

    @Option(
            names = "--edit-every",
            defaultValue = "3s",
            description =
                    "Time between two edits, the first as soon as the backlog is produced (default ${DEFAULT-VALUE}).")
    String editEvery;

    @Option(
            names = "--warmup",
            defaultValue = "32",
            description =
                    "Requests run through the job before measuring (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--timeout",
            defaultValue = "30m",
            description = "Longest wait for all results (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Embedded stack folder (default .varflow/bench-latency-<time>).")
    Path workDir;

    /** When each request's ResultEvent was first read, by request id (epoch ms). */
    private final Map<String, Long> visibleAt = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        if (backlog < 1 || count < 1 || edits < 0 || warmup < 1) {
            throw new UserInputException(
                    "--backlog, --count and --warmup must be positive, --edits at least 0");
        }
        Duration gap = DurationFlags.parse("--edit-every", editEvery);
        Duration wait = DurationFlags.parse("--timeout", timeout);
        JobConfig base = settings.toJobConfig(System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        LibtorchThreads.oneUnlessSet(out);
        Path dir = workDir != null ? workDir : WorkDirs.fresh("bench-latency");
        try (EmbeddedStack stack = EmbeddedStack.start(dir, base)) {
            JobConfig config = stack.jobConfig();
            try (BenchJob bench = new BenchJob(config, GeneratorFactories.from(config));
                    RequestProducer editTopic =
                            new RequestProducer(
                                    KafkaClientSettings.connection(config),
                                    config.get(JobOptions.TOPIC_EDITS));
                    CheckpointTimes checkpoints =
                            new CheckpointTimes(
                                    config.get(JobOptions.JOB_CHECKPOINT_DIR),
                                    bench.job.jobId().toString())) {
                OutcomeReader outcomes = bench.outcomes;
                RequestProducer requests = bench.requests;
                out.printf(
                        Locale.ROOT,
                        "result delivery %s, checkpoint interval %s; warming up with %d requests ...%n",
                        config.get(JobOptions.JOB_RESULT_DELIVERY),
                        config.get(JobOptions.JOB_CHECKPOINT_INTERVAL),
                        warmup);
                out.flush();
                List<SubmittedRequest> warm = requests.send(bulk("warm", warmup));
                awaitAll(bench, warm, wait);
                String source =
                        outcomes.results()
                                .get(warm.get(0).requestId())
                                .get(0)
                                .path("images")
                                .get(0)
                                .path("tokenMapUri")
                                .asText();

                long start = System.currentTimeMillis();
                List<SubmittedRequest> bulk = requests.send(bulk("bulk", backlog));
                long produced = System.currentTimeMillis();
                out.printf(
                        Locale.ROOT,
                        "backlog: %d requests (%d images) produced in %.1f s; %d interactive edits, one every %s%n",
                        backlog,
                        backlog * count,
                        (produced - start) / 1000.0,
                        edits,
                        editEvery);
                out.flush();

                Map<String, Long> editSentAt = new HashMap<>();
                List<SubmittedRequest> sentEdits = new ArrayList<>();
                long deadline = System.currentTimeMillis() + wait.toMillis();
                long nextEdit = produced;
                while (System.currentTimeMillis() < deadline
                        && (sentEdits.size() < edits
                                || !outcomes.unaccounted(all(bulk, sentEdits)).isEmpty())) {
                    if (sentEdits.size() < edits && System.currentTimeMillis() >= nextEdit) {
                        String id = String.format(Locale.ROOT, "edit-%03d", sentEdits.size());
                        editSentAt.put(id, System.currentTimeMillis());
                        sentEdits.addAll(
                                editTopic.send(List.of(edit(id, source, sentEdits.size()))));
                        nextEdit += gap.toMillis();
                    }
                    poll(outcomes);
                }
                long drained = System.currentTimeMillis();
                List<SubmittedRequest> missing = outcomes.unaccounted(all(bulk, sentEdits));
                if (!missing.isEmpty()) {
                    throw new IllegalStateException(
                            missing.size() + " requests have no outcome after " + timeout);
                }
                bench.succeeded(all(bulk, sentEdits));

                List<Long> editStoredToVisible = new ArrayList<>();
                List<Long> editSubmittedToVisible = new ArrayList<>();
                for (SubmittedRequest e : sentEdits) {
                    editStoredToVisible.add(
                            visibleAt.get(e.requestId()) - completedAt(outcomes, e));
                    editSubmittedToVisible.add(
                            visibleAt.get(e.requestId()) - editSentAt.get(e.requestId()));
                }
                List<Long> bulkStoredToVisible = new ArrayList<>();
                for (SubmittedRequest b : bulk) {
                    bulkStoredToVisible.add(
                            visibleAt.get(b.requestId()) - completedAt(outcomes, b));
                }
                List<Long> durations = new ArrayList<>();
                long longestWithout = 0;
                long previous = start;
                for (CheckpointTimes.Completed c : checkpoints.completed()) {
                    if (c.triggeredAt() >= start && c.completedAt() <= drained) {
                        durations.add(c.durationMs());
                    }
                    if (c.completedAt() > start && c.completedAt() <= drained) {
                        longestWithout = Math.max(longestWithout, c.completedAt() - previous);
                        previous = c.completedAt();
                    }
                }
                longestWithout = Math.max(longestWithout, drained - previous);

                out.printf(
                        Locale.ROOT,
                        "backlog drained in %.1f s (%.1f images/s)%n",
                        (drained - start) / 1000.0,
                        1000.0 * (backlog * count + edits) / Math.max(1, drained - start));
                out.println(
                        "edits, stored -> visible:      "
                                + Distribution.of(editStoredToVisible).format());
                out.println(
                        "edits, submitted -> visible:   "
                                + Distribution.of(editSubmittedToVisible).format());
                out.println(
                        "backlog, stored -> visible:    "
                                + Distribution.of(bulkStoredToVisible).format());
                out.println(
                        "checkpoints during the backlog: "
                                + Distribution.of(durations).format()
                                + " (trigger -> complete, seen from the checkpoint folder within "
                                + CheckpointTimes.POLL_MS
                                + " ms)");
                out.printf(
                        Locale.ROOT,
                        "longest time without a completed checkpoint during the backlog: %.1f s%n",
                        longestWithout / 1000.0);
                out.flush();
            }
        }
        return 0;
    }

    private List<String> bulk(String prefix, int n) {
        List<String> messages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            messages.add(
                    String.format(
                            Locale.ROOT,
                            "{\"requestId\":\"%s-%05d\",\"classLabel\":%d,\"count\":%d,\"seed\":%d}",
                            prefix,
                            i,
                            i % 10,
                            count,
                            i));
        }
        return messages;
    }

    /** A variation of a stored token map, keeping its first two scales: an interactive request. */
    private static String edit(String id, String tokenMapUri, int seed) {
        return String.format(
                Locale.ROOT,
                "{\"requestId\":\"%s\",\"mode\":\"variation\",\"keepScales\":2,"
                        + "\"source\":{\"uri\":\"%s\"},\"count\":1,\"seed\":%d}",
                id,
                tokenMapUri,
                seed);
    }

    private void awaitAll(BenchJob bench, List<SubmittedRequest> submitted, Duration wait) {
        OutcomeReader outcomes = bench.outcomes;
        long deadline = System.currentTimeMillis() + wait.toMillis();
        while (!outcomes.unaccounted(submitted).isEmpty()
                && System.currentTimeMillis() < deadline) {
            poll(outcomes);
        }
        if (!outcomes.unaccounted(submitted).isEmpty()) {
            throw new IllegalStateException("warm-up requests got no result within " + timeout);
        }
        bench.succeeded(submitted);
    }

    private void poll(OutcomeReader outcomes) {
        if (outcomes.poll(POLL) > 0) {
            long now = System.currentTimeMillis();
            for (String id : outcomes.results().keySet()) {
                visibleAt.putIfAbsent(id, now);
            }
        }
    }

    private static long completedAt(OutcomeReader outcomes, SubmittedRequest s) {
        return outcomes.results()
                .get(s.requestId())
                .get(0)
                .path("timings")
                .path("completedAt")
                .asLong();
    }

    private static List<SubmittedRequest> all(List<SubmittedRequest> a, List<SubmittedRequest> b) {
        List<SubmittedRequest> both = new ArrayList<>(a.size() + b.size());
        both.addAll(a);
        both.addAll(b);
        return both;
    }
}
