package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Messages far above every limit, amid valid requests, on the real broker and S3 server: each
 * becomes exactly one bounded dead letter, every valid request exactly one ResultEvent, a result
 * larger than the producer accepts is written shortened, and the job never fails (its restart
 * strategy is {@code none} here, so any failure would end it). Long originals are archived whole in
 * the bucket.
 */
@Timeout(600)
class OversizedInputITCase {

    private static final int TOPIC_LIMIT = 25 << 20;

    /**
     * The job's producer limit for this test: small, so that a 60-image result is too large for it.
     */
    private static final int PRODUCER_LIMIT = 4096;

    private static final int ORIGINAL_PREFIX = 1024;

    @RegisterExtension static final SharedStack STACK = new SharedStack();

    @Test
    void oversizedMessagesBecomeOneBoundedDeadLetterEachAndTheJobKeepsServing() throws Exception {
        JobConfig config =
                STACK.get()
                        .jobConfig()
                        .with(JobOptions.TOPIC_REQUESTS, "big.requests")
                        .with(JobOptions.TOPIC_RESULTS, "big.results")
                        .with(JobOptions.TOPIC_DEAD_LETTERS, "big.dead-letters")
                        .with(JobOptions.KAFKA_GROUP_ID, "big-job")
                        .with(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX, "big")
                        .with(JobOptions.JOB_CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .with(
                                JobOptions.JOB_CHECKPOINT_DIR,
                                STACK.get().workDir().resolve("checkpoints-big").toUri().toString())
                        .with(JobOptions.JOB_RESTART_STRATEGY, "none")
                        .with(JobOptions.KAFKA_MAX_REQUEST_SIZE, (long) PRODUCER_LIMIT)
                        .with(JobOptions.DEAD_LETTER_MAX_ORIGINAL_BYTES, (long) ORIGINAL_PREFIX)
                        .with(JobOptions.DEAD_LETTER_ARCHIVE_ORIGINALS, true);
        // The broker's limit raised for the input topic only, so that the producer can write them
        // at all.
        STACK.get()
                .kafka()
                .createTopics(
                        Map.of("big.requests", 2),
                        Map.of("max.message.bytes", Integer.toString(TOPIC_LIMIT)));
        STACK.get().kafka().createTopics(Map.of("big.results", 1, "big.dead-letters", 1));

        List<String> messages = new ArrayList<>();
        List<Integer> oversizedLines = new ArrayList<>();
        int[] sizes = {900 * 1024, (1 << 20) + 1, 5_000_000, 20_000_000};
        for (int i = 0; i < sizes.length; i++) {
            messages.add(
                    String.format(
                            "{\"requestId\":\"ok-%d\",\"classLabel\":%d,\"count\":1,\"seed\":%d}",
                            i, i, i));
            oversizedLines.add(messages.size());
            messages.add(oversized(sizes[i], i));
        }
        // 60 images: its full event (~8 KB) is more than the producer's 4 KiB; it must come
        // shortened.
        messages.add("{\"requestId\":\"many\",\"classLabel\":3,\"count\":60,\"seed\":5}");

        Properties kafka = KafkaClientSettings.connection(config);
        Properties producerProps = new Properties();
        producerProps.putAll(kafka);
        producerProps.setProperty("max.request.size", Integer.toString(TOPIC_LIMIT));
        producerProps.setProperty("buffer.memory", Integer.toString(64 << 20));
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
                    new RequestProducer(producerProps, config.get(JobOptions.TOPIC_REQUESTS))) {
                submitted = producer.send(messages);
            }
            assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(4)))
                    .as("every message has an outcome")
                    .isEmpty();
            outcomes.poll(Duration.ofSeconds(3)); // room for a repeat to show up
            assertThat(job.status()).as("the job never failed").isEqualTo(JobStatus.RUNNING);

            assertThat(outcomes.deadLettersRead())
                    .as("exactly one dead letter per oversized message")
                    .isEqualTo(sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                SubmittedRequest big = submitted.get(oversizedLines.get(i));
                JsonNode letter = outcomes.deadLetters().get(big.coordinates());
                assertThat(letter).as("dead letter of the %d-byte message", sizes[i]).isNotNull();
                assertThat(letter.path("errorCode").asText()).isEqualTo("MESSAGE_TOO_LARGE");
                assertThat(letter.path("reason").asText())
                        .contains(Integer.toString(sizes[i]))
                        .contains("65536");
                assertThat(letter.path("originalSize").asLong()).isEqualTo(sizes[i]);
                assertThat(letter.path("originalSha256").asText())
                        .isEqualTo(sha256(messages.get(oversizedLines.get(i))));
                assertThat(letter.path("originalTruncated").asBoolean()).isTrue();
                byte[] prefix = Base64.getDecoder().decode(letter.path("original").asText());
                assertThat(prefix).hasSize(ORIGINAL_PREFIX);
                assertThat(new String(prefix, java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo(
                                messages.get(oversizedLines.get(i)).substring(0, ORIGINAL_PREFIX));
                assertThat(letter.path("source").path("timestamp").isIntegralNumber()).isTrue();
                // The whole message is kept in the bucket, named by the letter.
                String object = letter.path("originalObject").asText();
                assertThat(object)
                        .isEqualTo(
                                "s3://"
                                        + config.get(JobOptions.S3_BUCKET)
                                        + "/dead-letters/big.requests/"
                                        + big.partition()
                                        + "/"
                                        + big.offset());
                assertThat(
                                java.nio.file.Files.size(
                                        STACK.get()
                                                .bucketDir()
                                                .resolve(
                                                        object.substring(
                                                                object.indexOf("/dead-letters/")
                                                                        + 1))))
                        .isEqualTo(sizes[i]);
            }

            assertThat(outcomes.results().keySet())
                    .containsExactlyInAnyOrder("ok-0", "ok-1", "ok-2", "ok-3", "many");
            outcomes.results()
                    .forEach(
                            (id, events) ->
                                    assertThat(events)
                                            .as("exactly one ResultEvent for %s", id)
                                            .hasSize(1));
            JsonNode many = outcomes.results().get("many").get(0);
            assertThat(many.path("status").asText()).isEqualTo("succeeded");
            assertThat(many.path("imagesOmitted").asInt()).isEqualTo(60);
            assertThat(many.path("images")).isEmpty();
            String folder = many.path("objectsUri").asText();
            assertThat(folder).endsWith("/many/");
            Path dir =
                    STACK.get()
                            .bucketDir()
                            .resolve(
                                    folder.substring(
                                            ("s3://" + config.get(JobOptions.S3_BUCKET) + "/")
                                                    .length()));
            assertThat(dir.resolve("0000.png")).isRegularFile();
            assertThat(dir.resolve("0059.png")).isRegularFile();
            assertThat(outcomes.results().get("ok-2").get(0).path("images")).hasSize(1);
        }
    }

    /** A JSON-looking value of exactly {@code size} bytes, different for each {@code n}. */
    private static String oversized(int size, int n) {
        String head = "{\"requestId\":\"big-" + n + "\",\"classLabel\":1,\"count\":1,\"note\":\"";
        StringBuilder b = new StringBuilder(size).append(head);
        while (b.length() < size - 2) {
            b.append((char) ('a' + (b.length() + n) % 26));
        }
        return b.append("\"}").toString();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(
                        MessageDigest.getInstance("SHA-256")
                                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
