package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.varflow.model.SamplingParams;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.edit.EditFixtures;
import io.varflow.operators.store.ObjectStoreConfig;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Edit requests end to end on real servers (KRaft broker in a child JVM, S3Proxy, Flink
 * MiniCluster, the bundled tiny model): sources and masks uploaded to the bucket or inline, edits
 * on their own topic, results as ResultEvents with stored images and token maps, malformed edits in
 * the dead-letter topic with their reasons.
 */
@Timeout(600)
class EditJobITCase {

    private static final int[] PATCH_NUMS = {1, 2, 3, 4};

    @RegisterExtension static final SharedStack STACK = new SharedStack();

    @Test
    void editsBecomeResultsAndMalformedEditsAreDeadLetteredWithTheirReason() throws Exception {
        JobConfig config =
                IsolatedTopics.on(STACK.get(), "edit").with(JobOptions.TOPIC_EDITS, "edit.edits");
        STACK.get().kafka().createTopics(Map.of("edit.edits", 1));
        Properties kafka = KafkaClientSettings.connection(config);
        ObjectStoreConfig store = GeneratorFactories.objectStore(config);
        String bucket = store.bucket();
        int[][] sourceTokens = sourceTokens();
        try (MinioClient s3 = store.syncClient()) {
            put(s3, bucket, "in/source.png", EditFixtures.gradientPng(64, 64));
            put(s3, bucket, "in/big.png", EditFixtures.gradientPng(100, 80));
            put(s3, bucket, "in/left.png", EditFixtures.leftHalfMask(32));
            put(s3, bucket, "in/garbage.bin", "not an image".getBytes(StandardCharsets.UTF_8));
            put(
                    s3,
                    bucket,
                    "in/source.tokens.safetensors",
                    TokenMapFile.toBytes(
                            new TokenMap(
                                    "tiny",
                                    List.of(1, 2, 3, 4),
                                    sourceTokens,
                                    6,
                                    1L,
                                    SamplingParams.FID,
                                    Map.of())));
        }
        String png = "{\"uri\":\"s3://" + bucket + "/in/source.png\"}";
        String tokens = "{\"uri\":\"s3://" + bucket + "/in/source.tokens.safetensors\"}";
        String centre = "{\"boxes\":[[0.25,0.25,0.75,0.75]]}";
        String inline = Base64.getEncoder().encodeToString(EditFixtures.gradientPng(64, 64));
        List<String> messages =
                List.of(
                        // 0: keep-all out-painting of the PNG: its tokens are the VQVAE's encoding
                        // of the source.
                        "{\"requestId\":\"keep-all\",\"mode\":\"outpaint\",\"source\":"
                                + png
                                + ",\"mask\":{\"boxes\":[[0,0,1,1]]},\"outputs\":[\"tokenMaps\"]}",
                        // 1: in-painting the centre, two variants.
                        "{\"requestId\":\"inpaint\",\"mode\":\"inpaint\",\"source\":"
                                + png
                                + ",\"mask\":"
                                + centre
                                + ",\"count\":2,\"seed\":3,\"topK\":0,\"topP\":0}",
                        // 2: class edit of the right half (mask image in the bucket) of an inline
                        // PNG.
                        "{\"requestId\":\"class-edit\",\"mode\":\"class-edit\",\"classLabel\":4,\"source\":{\"pngBase64\":\""
                                + inline
                                + "\"},\"mask\":{\"uri\":\"s3://"
                                + bucket
                                + "/in/left.png\"},\"topK\":0,\"topP\":0}",
                        // 3: variation of a token map keeping two scales.
                        "{\"requestId\":\"variation\",\"mode\":\"variation\",\"keepScales\":2,\"source\":"
                                + tokens
                                + ",\"count\":2,\"seed\":8,\"topK\":0,\"topP\":0,\"outputs\":[\"tokenMaps\"]}",
                        // 4..: malformed edits.
                        "{\"requestId\":\"bad-missing\",\"mode\":\"inpaint\",\"source\":{\"uri\":\"s3://"
                                + bucket
                                + "/in/nope.png\"},\"mask\":"
                                + centre
                                + "}",
                        "{\"requestId\":\"bad-size\",\"mode\":\"inpaint\",\"source\":{\"uri\":\"s3://"
                                + bucket
                                + "/in/big.png\"},\"mask\":"
                                + centre
                                + "}",
                        "{\"requestId\":\"bad-unreadable\",\"mode\":\"inpaint\",\"source\":{\"uri\":\"s3://"
                                + bucket
                                + "/in/garbage.bin\"},\"mask\":"
                                + centre
                                + "}",
                        "{\"requestId\":\"bad-empty-mask\",\"mode\":\"inpaint\",\"source\":"
                                + png
                                + ",\"mask\":{\"boxes\":[[0,0,0.1,0.1]]}}",
                        "{\"requestId\":\"bad-range-mask\",\"mode\":\"inpaint\",\"source\":"
                                + png
                                + ",\"mask\":{\"boxes\":[[0,0,1.5,1]]}}",
                        "{\"requestId\":\"bad-mode\",\"mode\":\"recolour\",\"source\":"
                                + png
                                + ",\"mask\":"
                                + centre
                                + "}",
                        "{\"requestId\":\"bad-no-source\",\"mode\":\"inpaint\",\"mask\":"
                                + centre
                                + "}",
                        "this is not json");

        try (OutcomeReader outcomes =
                        new OutcomeReader(
                                kafka,
                                config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS),
                                true);
                JobRunner.LocalJob job = JobRunner.startLocal(config)) {
            job.awaitRunning(Duration.ofSeconds(120));
            List<SubmittedRequest> submitted;
            try (RequestProducer producer = new RequestProducer(kafka, "edit.edits")) {
                submitted = producer.send(messages);
            }
            assertThat(outcomes.awaitAll(submitted, Duration.ofMinutes(4)))
                    .as("every edit has an outcome")
                    .isEmpty();
            outcomes.poll(Duration.ofSeconds(3)); // room for a duplicate to show up

            assertThat(outcomes.results().keySet())
                    .containsExactlyInAnyOrder("keep-all", "inpaint", "class-edit", "variation");
            outcomes.results()
                    .forEach(
                            (id, events) -> {
                                assertThat(events)
                                        .as("exactly one ResultEvent for %s", id)
                                        .hasSize(1);
                                assertThat(events.get(0).path("status").asText())
                                        .as(id)
                                        .isEqualTo("succeeded");
                            });
            int[][] encoded =
                    tokenMap(result(outcomes, "keep-all").path("images").get(0)).tokensPerScale();

            // In-painting: outside the centre every scale keeps the source's tokens.
            JsonNode inpaint = result(outcomes, "inpaint");
            assertThat(inpaint.path("images")).hasSize(2);
            for (JsonNode image : inpaint.path("images")) {
                assertThat(PngImages.decode(localFile(image.path("imageUri").asText())).width())
                        .isEqualTo(64);
                TokenMap map = tokenMap(image);
                assertThat(map.label()).as("the null class").isEqualTo(10);
                assertThat(map.extra()).containsEntry("edit_mode", "inpaint");
                assertThat(map.extra())
                        .as("the centre of the last scale's grid, regenerated")
                        .containsEntry("edit_mask", "0000/0110/0110/0000");
                int[][] t = map.tokensPerScale();
                assertThat(t[0]).containsExactly(encoded[0]);
                assertThat(t[1]).containsExactly(encoded[1]);
                for (int j : new int[] {0, 1, 2, 3, 5, 6, 7, 8}) {
                    assertThat(t[2][j]).isEqualTo(encoded[2][j]);
                }
                for (int j : new int[] {0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 14, 15}) {
                    assertThat(t[3][j]).isEqualTo(encoded[3][j]);
                }
            }
            // Class edit: the left half (unmarked) of the last scale is the source's.
            TokenMap classEdit = tokenMap(result(outcomes, "class-edit").path("images").get(0));
            assertThat(classEdit.label()).isEqualTo(4);
            for (int r = 0; r < 4; r++) {
                assertThat(classEdit.tokensPerScale()[3][r * 4 + 2])
                        .isEqualTo(encoded[3][r * 4 + 2]);
                assertThat(classEdit.tokensPerScale()[3][r * 4 + 3])
                        .isEqualTo(encoded[3][r * 4 + 3]);
            }
            // Variation: scales 0 and 1 of the token map kept; the token map's label.
            JsonNode variation = result(outcomes, "variation");
            assertThat(variation.path("images")).hasSize(2);
            for (JsonNode image : variation.path("images")) {
                TokenMap map = tokenMap(image);
                assertThat(map.label()).isEqualTo(6);
                assertThat(map.tokensPerScale()[0]).containsExactly(sourceTokens[0]);
                assertThat(map.tokensPerScale()[1]).containsExactly(sourceTokens[1]);
                assertThat(map.extra()).containsEntry("keep_scales", "2");
                assertThat(map.extra()).doesNotContainKey("edit_mask");
            }

            Map<String, JsonNode> dead = outcomes.deadLetters();
            assertThat(dead).hasSize(8);
            assertDead(dead, submitted.get(4), "SOURCE_NOT_FOUND", "nope.png does not exist");
            assertDead(dead, submitted.get(5), "WRONG_SOURCE_SIZE", "is 100x80");
            assertDead(
                    dead,
                    submitted.get(6),
                    "UNREADABLE_SOURCE",
                    "neither a PNG nor a varflow token map");
            assertDead(dead, submitted.get(7), "INVALID_MASK", "empty mask");
            assertDead(dead, submitted.get(8), "INVALID_MASK", "within 0..1");
            assertDead(dead, submitted.get(9), "UNKNOWN_EDIT_MODE", "recolour");
            assertDead(dead, submitted.get(10), "SCHEMA_VIOLATION", "source");
            assertDead(dead, submitted.get(11), "NOT_JSON", "not JSON");
            assertThat(dead.get(submitted.get(4).coordinates()).path("requestId").asText())
                    .isEqualTo("bad-missing");
        }
    }

    private static void assertDead(
            Map<String, JsonNode> dead, SubmittedRequest s, String code, String reason) {
        JsonNode letter = dead.get(s.coordinates());
        assertThat(letter).as("dead letter of message %d", s.line()).isNotNull();
        assertThat(letter.path("errorCode").asText()).as(letter.toString()).isEqualTo(code);
        assertThat(letter.path("reason").asText()).contains(reason);
        assertThat(letter.path("source").path("topic").asText()).isEqualTo("edit.edits");
    }

    private static JsonNode result(OutcomeReader outcomes, String id) {
        return outcomes.results().get(id).get(0);
    }

    private static TokenMap tokenMap(JsonNode image) throws Exception {
        return TokenMapFile.read(localFile(image.path("tokenMapUri").asText()));
    }

    private static void put(MinioClient s3, String bucket, String key, byte[] bytes)
            throws Exception {
        s3.putObject(
                PutObjectArgs.builder()
                        .bucket(bucket)
                        .object(key)
                        .data(bytes, bytes.length)
                        .build());
    }

    private static Path localFile(String s3Uri) {
        URI uri = URI.create(s3Uri);
        assertThat(uri.getScheme()).isEqualTo("s3");
        return STACK.get().bucketDir().resolve(uri.getPath().substring(1));
    }

    private static int[][] sourceTokens() {
        int[][] tokens = new int[PATCH_NUMS.length][];
        for (int si = 0; si < PATCH_NUMS.length; si++) {
            tokens[si] = new int[PATCH_NUMS[si] * PATCH_NUMS[si]];
            for (int j = 0; j < tokens[si].length; j++) {
                tokens[si][j] = (11 * si + 5 * j) % 64;
            }
        }
        return tokens;
    }
}
