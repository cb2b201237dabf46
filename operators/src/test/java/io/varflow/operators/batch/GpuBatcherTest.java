package io.varflow.operators.batch;

import static io.varflow.operators.batch.Works.due;
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
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new GpuBatcher(CATALOG, options)),
                        ImageWork::routeKey,
                        Types.STRING);
        harness.open();
        return harness;
    }

    private static List<TaskBatch> batches(
            KeyedOneInputStreamOperatorTestHarness<String, ImageWork, TaskBatch> h) {
        List<TaskBatch> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> record) {
                out.add((TaskBatch) record.getValue());
            }
        }
        return out;
    }

    private static List<String> ids(TaskBatch batch) {
        return Arrays.stream(batch.tasks())
                .map(w -> w.output().requestId() + "#" + w.output().index())
                .collect(Collectors.toList());
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
            assertThat(ids(batches(h).get(1)))
                    .containsExactly("bulk#3", "bulk#4", "bulk#5", "bulk#6");
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
                    .containsExactly(
                            "r#0", "r#1", "r#2", "r#3", "r#4", "r#5", "r#6", "r#7", "r#8", "r#9");
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
        try (var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new GpuBatcher(CATALOG, new BatchingOptions(200, 1))),
                        ImageWork::routeKey,
                        Types.STRING)) {
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

    private static List<String> expired(
            KeyedOneInputStreamOperatorTestHarness<String, ImageWork, TaskBatch> h) {
        List<String> out = new ArrayList<>();
        var side = h.getSideOutput(GpuBatcher.EXPIRED);
        if (side != null) {
            for (StreamRecord<ImageWork> r : side) {
                out.add(r.getValue().output().requestId() + "#" + r.getValue().output().index());
            }
        }
        return out;
    }

    @Test
    void withinAPriorityClassTheEarliestDeadlineGoesFirstAndTasksWithoutOneLast() throws Exception {
        try (var h = harness(new BatchingOptions(100, 2))) {
            h.setProcessingTime(0);
            h.processElement(work("none", 0, Priority.BULK, 0), 0);
            h.processElement(due("late", 0, Priority.BULK, 0, 9_000), 0);
            h.processElement(due("soon", 0, Priority.BULK, 0, 5_000), 0);
            h.processElement(due("edit", 0, Priority.INTERACTIVE, 0, 8_000), 0);
            h.processElement(due("edit-soon", 0, Priority.INTERACTIVE, 0, 7_000), 0);
            h.processElement(work("none", 1, Priority.BULK, 0), 0);
            h.setProcessingTime(100);
            List<TaskBatch> out = batches(h);
            assertThat(out).hasSize(2);
            assertThat(ids(out.get(0)))
                    .containsExactly("edit-soon#0", "edit#0", "soon#0", "late#0");
            assertThat(ids(out.get(1))).containsExactly("none#0", "none#1");
            assertThat(expired(h)).isEmpty();
        }
    }

    @Test
    void aTaskIsFlushedWhenOnlyTheDelayIsLeftBeforeItsDeadline() throws Exception {
        try (var h = harness(new BatchingOptions(200, 1))) {
            h.setProcessingTime(0);
            h.processElement(work("bulk", 0, Priority.BULK, 0), 0);
            h.setProcessingTime(20);
            h.processElement(due("tight", 0, Priority.BULK, 20, 270), 20);
            h.setProcessingTime(69);
            assertThat(batches(h)).isEmpty();
            h.setProcessingTime(70);
            List<TaskBatch> out = batches(h);
            assertThat(out)
                    .as(
                            "270 - 200: the tight task may not wait longer, and takes the waiting one along")
                    .hasSize(1);
            assertThat(ids(out.get(0))).containsExactly("tight#0", "bulk#0");
            assertThat(out.get(0).formedAt()).isEqualTo(70);
        }
    }

    @Test
    void aTaskWhoseDeadlinePassedBeforeItArrivedIsExpiredAndNeverBatched() throws Exception {
        try (var h = harness(new BatchingOptions(100, 1))) {
            h.setProcessingTime(1_000);
            h.processElement(due("stale", 0, Priority.INTERACTIVE, 990, 1_000), 1_000);
            h.processElement(due("fresh", 0, Priority.INTERACTIVE, 1_000, 5_000), 1_000);
            assertThat(expired(h)).containsExactly("stale#0");
            h.setProcessingTime(1_100);
            assertThat(batches(h))
                    .singleElement()
                    .satisfies(b -> assertThat(ids(b)).containsExactly("fresh#0"));
            assertThat(expired(h)).containsExactly("stale#0");
        }
    }

    @Test
    void queuedDeadlinesSurviveSnapshotAndThoseThatPassedMeanwhileExpireOnRestore()
            throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(new BatchingOptions(200, 2))) {
            h.setProcessingTime(0);
            h.processElement(due("a", 0, Priority.BULK, 0, 1_000), 0);
            h.processElement(due("b", 0, Priority.BULK, 0, 600), 0);
            h.processElement(due("c", 0, Priority.INTERACTIVE, 0, 5_000), 0);
            h.processElement(work("d", 0, Priority.BULK, 0), 0);
            snapshot = h.snapshot(1L, 1L);
            assertThat(batches(h)).isEmpty();
        }
        try (var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new GpuBatcher(CATALOG, new BatchingOptions(200, 2))),
                        ImageWork::routeKey,
                        Types.STRING)) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            // The job was down until 800: b's deadline (600) passed meanwhile; a's (1000) did not.
            restored.setProcessingTime(800);
            assertThat(expired(restored)).containsExactly("b#0");
            List<TaskBatch> out = batches(restored);
            assertThat(out).hasSize(1);
            assertThat(ids(out.get(0))).containsExactly("c#0", "a#0", "d#0");
        }
    }
}
