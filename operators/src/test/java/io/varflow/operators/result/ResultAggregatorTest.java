package io.varflow.operators.result;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.ResultEvent;
import io.varflow.operators.store.StoredImage;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ResultAggregatorTest {

    private static final Duration TTL = Duration.ofHours(1);

    private static KeyedOneInputStreamOperatorTestHarness<String, StoredImage, ResultEvent>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ResultAggregator(TTL)),
                StoredImage::requestId,
                Types.STRING);
    }

    private static StoredImage stored(String id, int index, int count, String error) {
        String dir = "s3://b/" + id + "/" + String.format("%04d", index);
        return new StoredImage(
                id,
                index,
                count,
                "tiny",
                index,
                100 + index,
                error == null ? dir + ".png" : null,
                error == null ? dir + ".tokens.safetensors" : null,
                1000,
                5 * index,
                40,
                7,
                2000 + index,
                error);
    }

    @Test
    void emitsOneEventOnceEveryImageIsStoredEvenWhenImagesRepeat() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(stored("r", 2, 3, null), 0);
            h.processElement(stored("r", 0, 3, null), 0);
            h.processElement(stored("r", 0, 3, null), 0);
            assertThat(h.extractOutputValues())
                    .as("a replayed image must not count twice")
                    .isEmpty();
            h.processElement(stored("r", 1, 3, null), 0);
            List<ResultEvent> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            ResultEvent event = out.get(0);
            assertThat(event.status()).isEqualTo(ResultEvent.Status.SUCCEEDED);
            assertThat(event.error()).isNull();
            assertThat(event.images())
                    .extracting(ResultEvent.Image::index)
                    .containsExactly(0, 1, 2);
            assertThat(event.images().get(1).imageUri()).isEqualTo("s3://b/r/0001.png");
            assertThat(event.images().get(1).tokenMapUri())
                    .isEqualTo("s3://b/r/0001.tokens.safetensors");
            assertThat(event.timings().receivedAt()).isEqualTo(1000);
            assertThat(event.timings().completedAt()).isEqualTo(2002);
            assertThat(event.timings().totalMs()).isEqualTo(1002);
            assertThat(event.timings().maxQueueWaitMs()).isEqualTo(10);
            assertThat(event.timings().sampleMs()).isEqualTo(120);
            assertThat(event.timings().storeMs()).isEqualTo(21);

            h.processElement(stored("r", 1, 3, null), 0);
            h.processElement(stored("r", 0, 3, null), 0);
            h.processElement(stored("r", 2, 3, null), 0);
            assertThat(h.extractOutputValues())
                    .as("a re-sent request must not produce a second event")
                    .hasSize(1);
        }
    }

    @Test
    void reportsFailedImagesAsAFailedRequest() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(stored("f", 0, 2, null), 0);
            h.processElement(stored("f", 1, 2, "IllegalStateException: out of memory"), 0);
            ResultEvent event = h.extractOutputValues().get(0);
            assertThat(event.status()).isEqualTo(ResultEvent.Status.FAILED);
            assertThat(event.error().code()).isEqualTo(ErrorCode.GENERATION_FAILED);
            assertThat(event.error().message())
                    .contains("1 of 2 images failed")
                    .contains("out of memory");
            assertThat(event.images().get(1).imageUri()).isNull();
            assertThat(event.images().get(1).error()).contains("out of memory");
        }
    }

    @Test
    void aRequestWithAnImageThatMissedItsDeadlineEndsExpired() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(stored("late", 0, 3, null), 0);
            h.processElement(stored("late", 1, 3, "IllegalStateException: device lost"), 0);
            h.processElement(
                    stored(
                            "late",
                            2,
                            3,
                            "deadline exceeded: the deadline passed 5 ms before the image"
                                    + " reached the model"),
                    0);
            List<ResultEvent> out = h.extractOutputValues();
            assertThat(out)
                    .singleElement()
                    .satisfies(
                            event -> {
                                assertThat(event.status()).isEqualTo(ResultEvent.Status.EXPIRED);
                                assertThat(event.error().code())
                                        .isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
                                assertThat(event.error().message())
                                        .isEqualTo(
                                                "1 of 3 images missed the deadline; first: image 2:"
                                                        + " deadline exceeded: the deadline passed 5 ms before the image reached the model");
                                assertThat(event.images().get(0).imageUri())
                                        .isEqualTo("s3://b/late/0000.png");
                            });
        }
    }

    @Test
    void progressAndCompletionSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(stored("a", 0, 2, null), 0);
            h.processElement(stored("done", 0, 1, null), 0);
            assertThat(h.extractOutputValues()).hasSize(1);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(stored("done", 0, 1, null), 0);
            assertThat(h.extractOutputValues())
                    .as("completed before the snapshot: no second event")
                    .isEmpty();
            h.processElement(stored("a", 1, 2, null), 0);
            List<ResultEvent> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).requestId()).isEqualTo("a");
            assertThat(out.get(0).images()).hasSize(2);
        }
    }

    @Test
    void theCompletedMarkerExpiresAfterItsTtl() throws Exception {
        try (var h = harness()) {
            h.setStateTtlProcessingTime(0);
            h.open();
            h.processElement(stored("old", 0, 1, null), 0);
            h.setStateTtlProcessingTime(TTL.toMillis() - 1);
            h.processElement(stored("old", 0, 1, null), 0);
            assertThat(h.extractOutputValues()).hasSize(1);
            h.setStateTtlProcessingTime(TTL.toMillis() + 1);
            h.processElement(stored("old", 0, 1, null), 0);
            assertThat(h.extractOutputValues())
                    .as("after the TTL the id is served again")
                    .hasSize(2);
        }
    }
}
