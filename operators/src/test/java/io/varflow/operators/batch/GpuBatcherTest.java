package io.varflow.operators.batch;

import static io.varflow.operators.batch.Works.work;
import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.Priority;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class GpuBatcherTest {

    private static final int MAX_BATCH = 4;
    private static final ModelCatalog CATALOG = ModelCatalog.of(List.of(ModelSpec.tiny(MAX_BATCH)));

    private static KeyedOneInputStreamOperatorTestHarness<String, ImageWork, TaskBatch> harness(
            BatchingOptions options) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GpuBatcher(CATALOG, options)), ImageWork::routeKey, Types.STRING);
        harness.open();
        return harness;
    }

    private static List<TaskBatch> batches(KeyedOneInputStreamOperatorTestHarness<String, ImageWork, TaskBatch> h) {
        List<TaskBatch> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> record) {
                out.add((TaskBatch) record.getValue());
            }
        }
        return out;
    }

    private static List<String> ids(TaskBatch batch) {
        return Arrays.stream(batch.tasks()).map(w -> w.output().requestId() + "#" + w.output().index()).collect(Collectors.toList());
    }

    @Test
    void flushesAFullBatchAtOnce() throws Exception {
        try (var h = harness(new BatchingOptions(1000, 1))) {
            h.setProcessingTime(10);
            for (int i = 0; i < 5; i++) {
                h.processElement(work("r", i, Priority.BULK, 10), 10);
            }
            List<TaskBatch> out = batches(h);
            assertThat(out).hasSize(1);
            assertThat(ids(out.get(0))).containsExactly("r#0", "r#1", "r#2", "r#3");
            assertThat(out.get(0).maxBatch()).isEqualTo(MAX_BATCH);
            assertThat(out.get(0).formedAt()).isEqualTo(10);
        }
    }

    @Test
    void flushesAPartialBatchWhenTheOldestTaskHasWaitedTheDelay() throws Exception {
        try (var h = harness(new BatchingOptions(200, 1))) {
            h.setProcessingTime(0);
            h.processElement(work("r", 0, Priority.BULK, 0), 0);
            h.setProcessingTime(50);
            h.processElement(work("r", 1, Priority.BULK, 50), 50);
            h.setProcessingTime(199);
            assertThat(batches(h)).as("nothing before the oldest task's deadline").isEmpty();
            h.setProcessingTime(200);
            List<TaskBatch> out = batches(h);
            assertThat(out).hasSize(1);
            assertThat(ids(out.get(0))).containsExactly("r#0", "r#1");
            assertThat(out.get(0).formedAt()).isEqualTo(200);
            h.setProcessingTime(10_000);
            assertThat(batches(h)).as("the queue is empty: no further batch").hasSize(1);
        }
    }

    @Test
    void interactiveTasksOvertakeQueuedBulkTasks() throws Exception {
        try (var h = harness(new BatchingOptions(1000, 2))) {
            h.setProcessingTime(0);
            for (int i = 0; i < 7; i++) {
                h.processElement(work("bulk", i, Priority.BULK, 0), 0);
            }
            h.processElement(work("fast", 0, Priority.INTERACTIVE, 0), 0);
            List<TaskBatch> out = batches(h);
            assertThat(out).as("8 = lookahead 2 x maxBatch 4 tasks make the key full").hasSize(1);
            assertThat(ids(out.get(0))).containsExactly("fast#0", "bulk#0", "bulk#1", "bulk#2");
            h.setProcessingTime(1000);
            assertThat(ids(batches(h).get(1))).containsExactly("bulk#3", "bulk#4", "bulk#5", "bulk#6");
        }
    }

    @Test
    void endOfInputFlushesEverythingInBatchesNoLargerThanTheLimit() throws Exception {
        try (var h = harness(new BatchingOptions(60_000, 4))) {
            h.setProcessingTime(0);
            for (int i = 0; i < 10; i++) {
                h.processElement(work("r", i, Priority.BULK, 0), 0);
            }
            assertThat(batches(h)).isEmpty();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            List<TaskBatch> out = batches(h);
            assertThat(out).extracting(TaskBatch::size).containsExactly(4, 4, 2);
            assertThat(out.stream().flatMap(b -> ids(b).stream()))
                    .containsExactly("r#0", "r#1", "r#2", "r#3", "r#4", "r#5", "r#6", "r#7", "r#8", "r#9");
        }
    }

    @Test
    void keysAreBatchedSeparately() throws Exception {
        try (var h = harness(new BatchingOptions(100, 1))) {
            h.setProcessingTime(0);
            h.processElement(work("r", 0, Priority.BULK, 0), 0);
            h.processElement(Works.work("tiny", "r", 1, Priority.BULK, 0, "tiny#1"), 0);
            h.setProcessingTime(100);
            assertThat(batches(h)).hasSize(2).allSatisfy(b -> assertThat(b.size()).isEqualTo(1));
        }
    }

    @Test
    void queuedTasksAndTheirDeadlineSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(new BatchingOptions(200, 1))) {
            h.setProcessingTime(0);
            h.processElement(work("r", 0, Priority.BULK, 0), 0);
            h.processElement(work("r", 1, Priority.INTERACTIVE, 0), 0);
            h.processElement(work("r", 2, Priority.BULK, 0), 0);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GpuBatcher(CATALOG, new BatchingOptions(200, 1))),
                ImageWork::routeKey, Types.STRING)) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(150);
            assertThat(batches(restored)).isEmpty();
            restored.setProcessingTime(200);
            List<TaskBatch> out = batches(restored);
            assertThat(out).hasSize(1);
            assertThat(ids(out.get(0))).containsExactly("r#1", "r#0", "r#2");
        }
    }
}
