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
            return new Outcome(
                    summarize(config, submitted, outcomes),
                    submitted,
                    outcomes.results(),
                    outcomes.deadLetters(),
                    missing);
        }
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
