package io.varflow.operators.edit;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.SubtaskRouting;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.store.ObjectStoreConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The edit operator in Flink's test harness with inline sources only (no object is fetched; the S3
 * path runs in the pipeline's EditJobITCase).
 */
class ResolveEditFunctionTest {

    private static ResolveEditFunction function() {
        ModelCatalog catalog = ModelCatalog.of(List.of(ModelSpec.tiny(4)));
        ObjectStoreConfig store =
                new ObjectStoreConfig("http://127.0.0.1:9", null, "a", "s", "bucket", "");
        return new ResolveEditFunction(
                new EditValidator(catalog, EditLimits.DEFAULTS), new SubtaskRouting(2, 128), store);
    }

    private static RawRecord record(String value, long offset) {
        return new RawRecord(value.getBytes(StandardCharsets.UTF_8), "edits", 0, offset, 55);
    }

    @Test
    void acceptedEditsBecomeInteractiveImagesAndRefusedOnesDeadLetters() throws Exception {
        String png = Base64.getEncoder().encodeToString(EditFixtures.gradientPng(64, 64));
        String edit =
                "{\"requestId\":\"e1\",\"mode\":\"inpaint\",\"source\":{\"pngBase64\":\""
                        + png
                        + "\"},\"mask\":{\"boxes\":[[0,0,0.5,0.5]]},\"count\":3,\"seed\":9}";
        // Over the dead-letter copy limit but within the edit message and inline limits: a mask
        // that is no PNG.
        String big =
                "{\"requestId\":\"e3\",\"mode\":\"inpaint\",\"source\":{\"pngBase64\":\""
                        + png
                        + "\"},\"mask\":{\"pngBase64\":\""
                        + "A".repeat(682 * 1024)
                        + "\"}}";
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(function())) {
            h.setProcessingTime(700);
            h.processElement(record(edit, 1), 0);
            h.processElement(record("{\"requestId\":\"e2\",\"mode\":\"smudge\"}", 2), 0);
            h.processElement(record(big, 3), 0);

            List<ImageWork> images = h.extractOutputValues();
            assertThat(images).hasSize(3);
            assertThat(images)
                    .allSatisfy(
                            w -> {
                                assertThat(w.output().requestId()).isEqualTo("e1");
                                assertThat(w.schedule().priority()).isEqualTo(Priority.INTERACTIVE);
                                assertThat(w.output().count()).isEqualTo(3);
                                assertThat(w.draw().label()).isEqualTo(10);
                                assertThat(w.edit().mode()).isEqualTo("inpaint");
                                assertThat(w.toImageTask(ModelSpec.tiny(8)).edit()).isNotNull();
                            });
            assertThat(images).extracting(w -> w.output().index()).containsExactly(0, 1, 2);
            assertThat(images).extracting(w -> w.draw().seed()).doesNotHaveDuplicates();

            List<DeadLetter> dead = new ArrayList<>();
            for (StreamRecord<DeadLetter> r : h.getSideOutput(DeadLetters.TAG)) {
                dead.add(r.getValue());
            }
            assertThat(dead).hasSize(2);
            assertThat(dead.get(0).errorCode()).isEqualTo(ErrorCode.UNKNOWN_EDIT_MODE);
            assertThat(dead.get(0).requestId()).isEqualTo("e2");
            assertThat(new String(dead.get(0).original(), StandardCharsets.UTF_8))
                    .contains("smudge");
            assertThat(dead.get(0).source()).isEqualTo(new DeadLetter.Source("edits", 0, 2, 55L));
            assertThat(dead.get(1).errorCode()).isEqualTo(ErrorCode.INVALID_MASK);
            assertThat(dead.get(1).reason()).contains("is not a PNG");
            // The whole value travels on; BoundDeadLetters cuts it before the sink.
            assertThat(dead.get(1).originalSize())
                    .isEqualTo(dead.get(1).original().length)
                    .isGreaterThan(512 * 1024);
            assertThat(dead.get(1).originalTruncated()).isFalse();
        }
    }
}
