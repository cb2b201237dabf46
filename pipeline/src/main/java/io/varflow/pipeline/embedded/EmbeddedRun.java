package io.varflow.pipeline.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.pipeline.client.ObjectStoreProbe;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.RunProgress;
import io.varflow.pipeline.client.RunSummary;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import io.varflow.pipeline.job.JobRunner;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * One run on an {@link EmbeddedStack}: starts the job in a MiniCluster, submits the messages, waits
 * until each has a ResultEvent or a dead letter (or the timeout passes), counts the stored objects,
 * cancels the job. What {@code varflow run --embedded} and {@code varflow demo} do.
 */
public final class EmbeddedRun {

    /**
     * What happened.
     *
     * @param summary the counts printed as the summary line
     * @param submitted every message and where it landed
     * @param results ResultEvents by request id
     * @param deadLetters dead letters by the refused message's coordinates
     * @param unaccounted messages with no outcome when the wait ended
     */
    public record Outcome(
            RunSummary summary,
            List<SubmittedRequest> submitted,
            Map<String, List<JsonNode>> results,
            Map<String, JsonNode> deadLetters,
            List<SubmittedRequest> unaccounted) {}

    private EmbeddedRun() {}

    public static Outcome run(EmbeddedStack stack, List<String> messages, Duration timeout)
            throws Exception {
        return run(stack.jobConfig(), messages, timeout, null, null);
    }

    /**
     * {@link #run(EmbeddedStack, List, Duration)} printing progress lines, each starting with
     * {@code prefix}.
     */
    public static Outcome run(
            EmbeddedStack stack,
            List<String> messages,
            Duration timeout,
            PrintWriter progress,
            String prefix)
            throws Exception {
        return run(stack.jobConfig(), messages, timeout, progress, prefix);
    }

    /**
     * {@link #run(EmbeddedStack, List, Duration, PrintWriter, String)} in two phases: once every
     * message has an outcome, {@code followUpEdits} makes edit requests from the first phase's
     * outcome (e.g. edits of its results); they go to the edits topic and are awaited the same way
     * (with {@code timeout} each phase). The returned outcome covers both phases; the follow-ups'
     * lines continue after {@code messages}.
     */
    public static Outcome run(
            EmbeddedStack stack,
            List<String> messages,
            Function<Outcome, List<String>> followUpEdits,
            Duration timeout,
            PrintWriter progress,
            String prefix)
            throws Exception {
        return run(stack.jobConfig(), messages, followUpEdits, timeout, progress, prefix);
    }

    /**
     * The same against any Kafka and object store that {@code config} names (topics and bucket must
     * exist): the job runs in a MiniCluster in this JVM.
     */
    public static Outcome run(JobConfig config, List<String> messages, Duration timeout)
            throws Exception {
        return run(config, messages, timeout, null, null);
    }

    // With a log: prints where the job can be watched, then progress lines, each starting with
    // prefix.
    private static Outcome run(
            JobConfig config,
            List<String> messages,
            Duration timeout,
            PrintWriter log,
            String prefix)
            throws Exception {
        return run(config, messages, first -> List.of(), timeout, log, prefix);
    }

    private static Outcome run(
            JobConfig config,
            List<String> messages,
            Function<Outcome, List<String>> followUpEdits,
            Duration timeout,
            PrintWriter log,
            String prefix)
            throws Exception {
        Properties connection = KafkaClientSettings.connection(config);
        try (OutcomeReader outcomes =
                        new OutcomeReader(
                                connection,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                false);
                JobRunner.LocalJob job = JobRunner.startLocal(config)) {
            job.awaitRunning(Duration.ofSeconds(120));
            RunProgress progress = null;
            if (log != null) {
                printMonitoring(log, prefix, job);
                progress = new RunProgress(prefix, messages.size(), log, System.nanoTime());
            }
            List<SubmittedRequest> submitted;
            try (RequestProducer producer =
                    new RequestProducer(connection, config.get(JobOptions.TOPIC_REQUESTS))) {
                submitted = producer.send(messages);
            }
            List<SubmittedRequest> missing = outcomes.awaitAll(submitted, timeout, progress);
            List<String> edits =
                    followUpEdits.apply(
                            new Outcome(
                                    null,
                                    List.copyOf(submitted),
                                    outcomes.results(),
                                    outcomes.deadLetters(),
                                    missing));
            if (!edits.isEmpty()) {
                List<SubmittedRequest> sentEdits;
                try (RequestProducer producer =
                        new RequestProducer(connection, config.get(JobOptions.TOPIC_EDITS))) {
                    sentEdits = producer.send(edits);
                }
                List<SubmittedRequest> numbered = new ArrayList<>();
                for (SubmittedRequest s : sentEdits) {
                    numbered.add(
                            new SubmittedRequest(
                                    submitted.size() + s.line(),
                                    s.requestId(),
                                    s.topic(),
                                    s.partition(),
                                    s.offset()));
                }
                RunProgress editProgress =
                        log == null
                                ? null
                                : new RunProgress(prefix, edits.size(), log, System.nanoTime());
                List<SubmittedRequest> editsMissing =
                        outcomes.awaitAll(numbered, timeout, editProgress);
                submitted = concat(submitted, numbered);
                missing = concat(missing, editsMissing);
            }
            return new Outcome(
                    summarize(config, submitted, outcomes),
                    submitted,
                    outcomes.results(),
                    outcomes.deadLetters(),
                    missing);
        }
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** The addresses of the running job's Flink dashboard and Prometheus endpoint. */
    public static void printMonitoring(PrintWriter log, String prefix, JobRunner.LocalJob job) {
        log.printf("%sFlink dashboard: %s%n", prefix, job.monitoring().dashboardUrl());
        log.printf("%sPrometheus metrics: %s%n", prefix, job.monitoring().metricsUrl());
        log.flush();
    }

    static RunSummary summarize(
            JobConfig config, List<SubmittedRequest> submitted, OutcomeReader outcomes)
            throws Exception {
        int completed = 0;
        int deadLettered = 0;
        int images = 0;
        List<JsonNode> succeeded = new ArrayList<>();
        for (SubmittedRequest s : submitted) {
            if (outcomes.deadLetters().containsKey(s.coordinates())) {
                deadLettered++;
                continue;
            }
            List<JsonNode> events =
                    s.requestId() == null ? null : outcomes.results().get(s.requestId());
            if (events != null && RunSummary.succeeded(events.get(0))) {
                completed++;
                images += events.get(0).path("images").size();
                succeeded.add(events.get(0));
            }
        }
        int objects;
        try (ObjectStoreProbe probe = new ObjectStoreProbe(config)) {
            objects = probe.countExisting(RunSummary.objectUris(succeeded));
        }
        return new RunSummary(submitted.size(), completed, deadLettered, images, objects);
    }
}
