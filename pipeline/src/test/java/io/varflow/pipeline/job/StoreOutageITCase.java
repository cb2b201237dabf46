package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.pipeline.client.ObjectStoreProbe;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.RunSummary;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The object store goes away while the job works (the real S3 server stops answering, then comes
 * back on the same port). The job must ride it out in place: no request lost or doubled, no job
 * failure (restart strategy {@code none}, so any failure would end it), and two log lines per
 * outage instead of one per attempt.
 */
@Timeout(900)
class StoreOutageITCase {

    private static final String OUTAGE_START = "is failing";
    private static final String OUTAGE_END = "recovered after";

    @RegisterExtension static final SharedStack STACK = new SharedStack();

    private static JobConfig config(String name) {
        return IsolatedTopics.on(STACK.get(), name)
                .with(JobOptions.JOB_RESTART_STRATEGY, "none")
                .with(JobOptions.STORE_TIMEOUT, Duration.ofMinutes(3))
                .with(JobOptions.STORE_MAX_BACKOFF, Duration.ofSeconds(4));
    }

    @Test
    void aNinetySecondOutageAndThreeShortOnesLoseAndDoubleNothing() throws Exception {
        JobConfig config = config("outage");
        Properties kafka = KafkaClientSettings.connection(config);
        int[] outageSeconds = {90, 4, 8, 12};
        List<SubmittedRequest> submitted = new ArrayList<>();
        try (LogLines log = LogLines.capture();
                OutcomeReader outcomes =
                        new OutcomeReader(
                                kafka,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                true);
                RequestProducer producer =
                        new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS));
                JobRunner.LocalJob job = JobRunner.startLocal(config)) {
            job.awaitRunning(Duration.ofSeconds(120));
            int next = 0;
            for (int seconds : outageSeconds) {
                next = send(producer, submitted, next, 4);
                outcomes.poll(Duration.ofSeconds(1));
                STACK.get().s3().pause();
                try {
                    // Requests keep arriving during the outage; their images wait in the store
                    // step.
                    next = send(producer, submitted, next, 4);
                    sleepPolling(outcomes, Duration.ofSeconds(seconds));
                } finally {
                    STACK.get().s3().resume();
                }
                assertThat(job.status())
                        .as("running after a %d s outage", seconds)
                        .isEqualTo(JobStatus.RUNNING);
            }
            next = send(producer, submitted, next, 4);
            assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(4)))
                    .as("every request has its result")
                    .isEmpty();
            outcomes.poll(Duration.ofSeconds(3)); // room for a duplicate to show up
            assertThat(job.status()).as("the job never failed").isEqualTo(JobStatus.RUNNING);

            assertThat(outcomes.deadLetters()).isEmpty();
            assertThat(outcomes.results()).hasSize(next);
            List<JsonNode> events = new ArrayList<>();
            outcomes.results()
                    .forEach(
                            (id, list) -> {
                                assertThat(list)
                                        .as("exactly one ResultEvent for %s", id)
                                        .hasSize(1);
                                assertThat(list.get(0).path("status").asText())
                                        .isEqualTo("succeeded");
                                events.add(list.get(0));
                            });
            List<String> uris = RunSummary.objectUris(events);
            assertThat(uris).hasSize(next * 2 * 2);
            try (ObjectStoreProbe probe = new ObjectStoreProbe(config)) {
                assertThat(probe.countExisting(uris)).isEqualTo(uris.size());
            }
            List<String> starts = log.containing(OUTAGE_START);
            List<String> ends = log.containing(OUTAGE_END);
            assertThat(starts)
                    .as("at most one line when an outage starts")
                    .hasSizeBetween(1, outageSeconds.length);
            assertThat(ends)
                    .as("one line when it ends, with duration and attempts")
                    .hasSameSizeAs(starts);
            assertThat(ends)
                    .anySatisfy(
                            line ->
                                    assertThat(line)
                                            .matches(
                                                    ".*recovered after (8\\d|9\\d|1\\d\\d)\\.\\d s.*"));
        }
    }

    @Test
    void aHundredRequestsWithOneOutageLogABoundedNumberOfLines() throws Exception {
        JobConfig config = config("quiet");
        Properties kafka = KafkaClientSettings.connection(config);
        List<SubmittedRequest> submitted = new ArrayList<>();
        try (OutcomeReader outcomes =
                        new OutcomeReader(
                                kafka,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                true);
                RequestProducer producer =
                        new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS));
                JobRunner.LocalJob job = JobRunner.startLocal(config)) {
            job.awaitRunning(Duration.ofSeconds(120));
            List<String> lines;
            List<String> warnings;
            try (LogLines log = LogLines.capture()) {
                STACK.get().s3().pause();
                try {
                    send(producer, submitted, 0, 100);
                    sleepPolling(outcomes, Duration.ofSeconds(10));
                } finally {
                    STACK.get().s3().resume();
                }
                assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(4))).isEmpty();
                lines = log.all();
                warnings = log.atLeast(Level.WARN);
                assertThat(log.containing(OUTAGE_START)).hasSize(1);
                assertThat(log.containing(OUTAGE_END))
                        .hasSize(1)
                        .allSatisfy(
                                line ->
                                        assertThat(line)
                                                .matches(
                                                        ".*recovered after \\d+\\.\\d s; \\d+ attempts.*"));
            }
            System.out.printf(
                    "log lines for 100 requests and one 10 s outage: %d, of which WARN or worse: %d%n",
                    lines.size(), warnings.size());
            warnings.forEach(System.out::println);
            // Measured: 2 WARN lines (the outage's start and end) of about 5 lines in all, with the
            // test's log
            // levels (those of the shipped log4j2.properties); 545 WARN lines per outage before.
            assertThat(warnings).as("WARN lines for one outage").hasSizeLessThanOrEqualTo(6);
            assertThat(lines).as("all lines of the run").hasSizeLessThanOrEqualTo(30);
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(outcomes.results()).hasSize(100);
        }
    }

    private static int send(
            RequestProducer producer, List<SubmittedRequest> submitted, int from, int n) {
        List<String> messages = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            messages.add(
                    String.format(
                            "{\"requestId\":\"o-%03d\",\"classLabel\":%d,\"count\":%d,\"seed\":%d}",
                            i, i % 10, n >= 100 ? 1 : 2, i));
        }
        for (SubmittedRequest s : producer.send(messages)) {
            submitted.add(
                    new SubmittedRequest(
                            submitted.size() + 1,
                            s.requestId(),
                            s.topic(),
                            s.partition(),
                            s.offset()));
        }
        return from + n;
    }

    private static void sleepPolling(OutcomeReader outcomes, Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            outcomes.poll(
                    Duration.ofMillis(
                            Math.max(1, Math.min(500, (end - System.nanoTime()) / 1_000_000))));
        }
    }
}
