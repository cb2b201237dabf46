package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.VarModel;
import io.varflow.operators.metrics.VarflowMetrics;
import io.varflow.pipeline.cli.VarflowCli;
import io.varflow.pipeline.client.ObjectStoreProbe;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.RunSummary;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The whole job on real servers: a KRaft broker (child JVM), S3Proxy and a Flink MiniCluster, with
 * the bundled tiny VAR model. Every test has its own topics on one shared stack.
 */
@Timeout(600)
class VarflowJobITCase {

    @RegisterExtension static final SharedStack STACK = new SharedStack();

    @Test
    void requestsBecomeObjectsAndOneResultEventEachWhileBadMessagesAreDeadLettered()
            throws Exception {
        JobConfig config = IsolatedTopics.on(STACK.get(), "e2e");
        Properties kafka = KafkaClientSettings.connection(config);
        List<String> messages =
                List.of(
                        "{\"requestId\":\"e2e-1\",\"classLabel\":0,\"count\":3,\"seed\":11}",
                        "not json at all",
                        "{\"requestId\":\"e2e-2\",\"labels\":[1,9],\"seed\":12,\"outputs\":[\"images\"]}",
                        "{\"requestId\":\"e2e-bad-label\",\"classLabel\":10,\"count\":1}",
                        "{\"requestId\":\"e2e-3\",\"classLabel\":4,\"count\":1,\"seed\":13,\"outputs\":[\"tokenMaps\"]}",
                        "{\"requestId\":\"e2e-unknown-field\",\"classLabel\":1,\"count\":1,\"colour\":\"red\"}");

        try (OutcomeReader outcomes =
                        new OutcomeReader(
                                kafka,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                true);
                JobRunner.LocalJob job = JobRunner.startLocal(config)) {
            job.awaitRunning(Duration.ofSeconds(120));
            List<SubmittedRequest> submitted;
            try (RequestProducer producer =
                    new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS))) {
                submitted = producer.send(messages);
            }
            assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(4)))
                    .as("every message has an outcome")
                    .isEmpty();
            // A little longer: a duplicate event would show up within a few checkpoints.
            outcomes.poll(Duration.ofSeconds(3));

            assertThat(outcomes.results().keySet())
                    .containsExactlyInAnyOrder("e2e-1", "e2e-2", "e2e-3");
            outcomes.results()
                    .forEach(
                            (id, events) ->
                                    assertThat(events)
                                            .as("exactly one ResultEvent for %s", id)
                                            .hasSize(1));
            JsonNode first = outcomes.results().get("e2e-1").get(0);
            assertThat(first.path("status").asText()).isEqualTo("succeeded");
            assertThat(first.path("model").asText()).isEqualTo("tiny");
            assertThat(first.path("images")).hasSize(3);
            for (JsonNode image : first.path("images")) {
                Path png = localFile(image.path("imageUri").asText());
                assertThat(Files.readAllBytes(png))
                        .as("a real PNG in the bucket")
                        .startsWith(0x89, 'P', 'N', 'G');
                assertThat(localFile(image.path("tokenMapUri").asText())).isRegularFile();
            }
            JsonNode imagesOnly = outcomes.results().get("e2e-2").get(0);
            assertThat(imagesOnly.path("images"))
                    .extracting(i -> i.path("label").asInt())
                    .containsExactly(1, 9);
            assertThat(imagesOnly.path("images"))
                    .allSatisfy(i -> assertThat(i.hasNonNull("tokenMapUri")).isFalse());
            JsonNode tokensOnly = outcomes.results().get("e2e-3").get(0);
            assertThat(tokensOnly.path("images"))
                    .allSatisfy(i -> assertThat(i.hasNonNull("imageUri")).isFalse());

            List<JsonNode> succeeded = new ArrayList<>();
            outcomes.results().values().forEach(events -> succeeded.add(events.get(0)));
            List<String> uris = RunSummary.objectUris(succeeded);
            assertThat(uris).hasSize(3 * 2 + 2 + 1);
            try (ObjectStoreProbe probe = new ObjectStoreProbe(config)) {
                assertThat(probe.countExisting(uris))
                        .as("every named object is stored")
                        .isEqualTo(uris.size());
            }

            assertThat(outcomes.deadLetters()).hasSize(3);
            JsonNode notJson = outcomes.deadLetters().get(submitted.get(1).coordinates());
            assertThat(notJson.path("errorCode").asText()).isEqualTo("NOT_JSON");
            assertThat(notJson.path("reason").asText()).isNotBlank();
            JsonNode badLabel = outcomes.deadLetters().get(submitted.get(3).coordinates());
            assertThat(badLabel.path("reason").asText())
                    .as("the reason names the field")
                    .contains("10");
            assertThat(badLabel.path("requestId").asText()).isEqualTo("e2e-bad-label");
            JsonNode unknownField = outcomes.deadLetters().get(submitted.get(5).coordinates());
            assertThat(unknownField.path("reason").asText()).contains("colour");

            // The same job through `varflow submit --wait`, as a user would send one more request.
            StringWriter out = new StringWriter();
            CommandLine cli = VarflowCli.commandLine();
            cli.setOut(new PrintWriter(out, true));
            int exit =
                    cli.execute(
                            "submit",
                            "--wait",
                            "--timeout",
                            "3m",
                            "--bootstrap-servers",
                            config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS),
                            "--set",
                            "kafka.topic.requests=" + config.get(JobOptions.TOPIC_REQUESTS),
                            "--set",
                            "kafka.topic.results=" + config.get(JobOptions.TOPIC_RESULTS),
                            "--set",
                            "kafka.topic.dead-letters=" + config.get(JobOptions.TOPIC_DEAD_LETTERS),
                            "{\"requestId\":\"e2e-cli\",\"classLabel\":6,\"count\":1}");
            assertThat(exit).as("submit output: %s", out).isZero();
            assertThat(out.toString())
                    .contains("submitted e2e.requests/")
                    .contains("\"requestId\":\"e2e-cli\"")
                    .contains("\"status\":\"succeeded\"");
        }
    }

    @Test
    void aLocalRunServesFlinksDashboardAndVarflowMetricsForPrometheusOnLoopback() throws Exception {
        JobConfig config = IsolatedTopics.on(STACK.get(), "mon");
        Properties kafka = KafkaClientSettings.connection(config);
        try (OutcomeReader outcomes =
                        new OutcomeReader(
                                kafka,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                true);
                JobRunner.LocalJob job = JobRunner.startLocal(config)) {
            job.awaitRunning(Duration.ofSeconds(120));
            List<SubmittedRequest> submitted;
            try (RequestProducer producer =
                    new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS))) {
                submitted =
                        producer.send(
                                List.of("{\"requestId\":\"mon-1\",\"classLabel\":3,\"count\":2}"));
            }
            assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(3))).isEmpty();
            LocalMonitoring monitoring = job.monitoring();
            assertThat(monitoring.dashboardUrl()).startsWith("http://127.0.0.1:");
            assertThat(monitoring.metricsUrl()).startsWith("http://127.0.0.1:");

            HttpClient http = HttpClient.newHttpClient();
            JsonNode overview =
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(get(http, monitoring.dashboardUrl() + "jobs/overview"));
            assertThat(overview.path("jobs"))
                    .anySatisfy(
                            j -> {
                                assertThat(j.path("jid").asText())
                                        .isEqualTo(job.jobId().toString());
                                assertThat(j.path("state").asText()).isEqualTo("RUNNING");
                            });
            assertThat(get(http, monitoring.dashboardUrl()))
                    .as("the web dashboard's page")
                    .contains("<html");

            String metrics = get(http, monitoring.metricsUrl());
            for (String name :
                    List.of(
                            VarflowMetrics.REQUESTS_ACCEPTED,
                            VarflowMetrics.IMAGES_GENERATED,
                            VarflowMetrics.BATCH_FILL_PERCENT,
                            VarflowMetrics.OBJECTS_STORED)) {
                assertThat(metrics)
                        .as("Prometheus text names %s", name)
                        .containsPattern(
                                "(?m)^flink_\\w*"
                                        + VarflowMetrics.GROUP
                                        + "_"
                                        + name
                                        + "(_count)?\\{");
            }
            assertThat(metrics)
                    .containsPattern("(?m)^flink_\\w*varflow_imagesGenerated\\{[^}]*} 2\\.0$");
            // Where the sampler's time goes, scale by scale: the last scale of the served model.
            int lastScale = VarModel.tinyConfig().numScales() - 1;
            assertThat(metrics)
                    .as("per-scale time of the sampler")
                    .containsPattern(
                            "(?m)^flink_\\w*varflow_model_scale_"
                                    + VarflowMetrics.SCALE_MS
                                    + "_count\\{[^}]*scale=\""
                                    + lastScale
                                    + "\"");
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }

    @Test
    void jobCancelledMidStreamResumesFromItsLastCheckpointWithNothingLostOrDoubled()
            throws Exception {
        JobConfig config = IsolatedTopics.on(STACK.get(), "restart");
        Properties kafka = KafkaClientSettings.connection(config);
        int requests = 24;
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            messages.add(
                    String.format(
                            "{\"requestId\":\"r-%02d\",\"classLabel\":%d,\"count\":2,\"seed\":%d}",
                            i, i % 10, i));
        }
        List<SubmittedRequest> submitted = new ArrayList<>();
        try (OutcomeReader outcomes =
                        new OutcomeReader(
                                kafka,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                true);
                RequestProducer producer =
                        new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS))) {
            int sent = 0;
            int visibleAtCancel;
            try (JobRunner.LocalJob job = JobRunner.startLocal(config)) {
                job.awaitRunning(Duration.ofSeconds(120));
                // Requests trickle in; the job is cancelled once some results are committed,
                // mid-stream.
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (outcomes.results().size() < 2 && System.nanoTime() < deadline) {
                    if (sent < requests / 2) {
                        submitted.addAll(
                                renumber(producer.send(List.of(messages.get(sent))), sent));
                        sent++;
                    }
                    outcomes.poll(Duration.ofMillis(150));
                }
                visibleAtCancel = outcomes.results().size();
            }
            assertThat(visibleAtCancel)
                    .as("results were committed before the cancel")
                    .isGreaterThanOrEqualTo(2);
            // The rest arrives while the job is down.
            while (sent < requests) {
                submitted.addAll(renumber(producer.send(List.of(messages.get(sent))), sent));
                sent++;
            }
            outcomes.poll(Duration.ofSeconds(1));
            assertThat(outcomes.results().size()).as("cancelled mid-stream").isLessThan(requests);

            Path checkpoint =
                    Checkpoints.latest(config.get(JobOptions.JOB_CHECKPOINT_DIR)).orElseThrow();
            JobConfig resumed =
                    config.with(JobOptions.JOB_RESTORE_FROM, checkpoint.toUri().toString());
            try (JobRunner.LocalJob job = JobRunner.startLocal(resumed)) {
                job.awaitRunning(Duration.ofSeconds(120));
                assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(4))).isEmpty();
                outcomes.poll(Duration.ofSeconds(4)); // room for a duplicate to show up
            }

            assertThat(outcomes.deadLetters()).isEmpty();
            assertThat(outcomes.results()).hasSize(requests);
            List<JsonNode> events = new ArrayList<>();
            outcomes.results()
                    .forEach(
                            (id, list) -> {
                                assertThat(list)
                                        .as("exactly one ResultEvent for %s", id)
                                        .hasSize(1);
                                assertThat(list.get(0).path("status").asText())
                                        .isEqualTo("succeeded");
                                assertThat(list.get(0).path("images")).hasSize(2);
                                events.add(list.get(0));
                            });
            List<String> uris = RunSummary.objectUris(events);
            assertThat(uris).hasSize(requests * 2 * 2);
            try (ObjectStoreProbe probe = new ObjectStoreProbe(config)) {
                assertThat(probe.countExisting(uris)).isEqualTo(uris.size());
            }
        }
    }

    @Test
    void atLeastOnceResultsAreVisibleWithoutWaitingForACheckpoint() throws Exception {
        // No checkpoint completes within the test: exactly-once results would stay invisible.
        JobConfig config =
                IsolatedTopics.on(STACK.get(), "alo")
                        .with(JobOptions.JOB_RESULT_DELIVERY, "at-least-once")
                        .with(JobOptions.JOB_CHECKPOINT_INTERVAL, Duration.ofHours(1));
        Properties kafka = KafkaClientSettings.connection(config);
        try (OutcomeReader outcomes =
                        new OutcomeReader(
                                kafka,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                true);
                JobRunner.LocalJob job = JobRunner.startLocal(config)) {
            job.awaitRunning(Duration.ofSeconds(120));
            List<SubmittedRequest> submitted;
            try (RequestProducer producer =
                    new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS))) {
                submitted =
                        producer.send(
                                List.of(
                                        "{\"requestId\":\"alo-1\",\"classLabel\":2,\"count\":2,\"seed\":1}",
                                        "{\"requestId\":\"alo-both\",\"classLabel\":2,\"count\":1,\"labels\":[3]}"));
            }
            assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(3)))
                    .as("visible before any checkpoint")
                    .isEmpty();
            assertThat(outcomes.results().get("alo-1").get(0).path("status").asText())
                    .isEqualTo("succeeded");
            assertThat(
                            outcomes.deadLetters()
                                    .get(submitted.get(1).coordinates())
                                    .path("reason")
                                    .asText())
                    .isEqualTo("give either classLabel + count or labels, not both");
            assertThat(Checkpoints.latest(config.get(JobOptions.JOB_CHECKPOINT_DIR)))
                    .as("no checkpoint yet")
                    .isEmpty();
        }
    }

    private static List<SubmittedRequest> renumber(List<SubmittedRequest> one, int index) {
        SubmittedRequest s = one.get(0);
        return List.of(
                new SubmittedRequest(
                        index + 1, s.requestId(), s.topic(), s.partition(), s.offset()));
    }

    private static Path localFile(String s3Uri) {
        URI uri = URI.create(s3Uri);
        assertThat(uri.getScheme()).isEqualTo("s3");
        assertThat(uri.getHost()).isEqualTo(STACK.get().jobConfig().get(JobOptions.S3_BUCKET));
        return STACK.get().bucketDir().resolve(uri.getPath().substring(1));
    }
}
