package io.varflow.operators.batch;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.metrics.VarflowMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Groups images into GPU-sized batches. Keyed by {@link ImageWork#routeKey()} (one model on one
 * subtask, see {@link SubtaskRouting}); all of a key's tasks share model and resolution.
 *
 * <p>A batch holds at most the model's {@code maxBatch} tasks, interactive tasks first, then bulk
 * tasks, each by arrival. Flushes happen when the key holds {@code priorityLookahead x maxBatch}
 * tasks (full), when the oldest task has waited {@code maxDelayMs} (processing-time timer), and at
 * the end of a bounded input (event-time timer at {@code Long.MAX_VALUE}, which only the final
 * watermark reaches). Queues live in checkpointed keyed list state (PojoSerializer) and are cleared
 * as tasks leave.
 *
 * <p>Metrics: {@code batchFillPercent}, {@code queueWaitMs} (histograms), {@code queuedTasks}
 * (gauge, tasks this subtask holds; it starts at 0 after a restore).
 */
public final class GpuBatcher extends KeyedProcessFunction<String, ImageWork, TaskBatch> {

    private static final long serialVersionUID = 1L;
    private static final long END_OF_INPUT = Long.MAX_VALUE;

    private final ModelCatalog catalog;
    private final BatchingOptions options;

    private final ListStateDescriptor<ImageWork> interactiveDescriptor =
            new ListStateDescriptor<>("interactive", TypeInformation.of(ImageWork.class));
    private final ListStateDescriptor<ImageWork> bulkDescriptor =
            new ListStateDescriptor<>("bulk", TypeInformation.of(ImageWork.class));
    private final ValueStateDescriptor<Integer> sizeDescriptor = new ValueStateDescriptor<>("size", Types.INT);
    private final ValueStateDescriptor<Long> timerDescriptor = new ValueStateDescriptor<>("flushTimer", Types.LONG);

    private transient ListState<ImageWork> interactive;
    private transient ListState<ImageWork> bulk;
    private transient ValueState<Integer> size;
    private transient ValueState<Long> flushTimer;
    private transient Histogram fillPercent;
    private transient Histogram queueWait;
    private transient long queued;

    public GpuBatcher(ModelCatalog catalog, BatchingOptions options) {
        this.catalog = catalog;
        this.options = options;
    }

    @Override
    public void open(OpenContext openContext) {
        interactive = getRuntimeContext().getListState(interactiveDescriptor);
        bulk = getRuntimeContext().getListState(bulkDescriptor);
        size = getRuntimeContext().getState(sizeDescriptor);
        flushTimer = getRuntimeContext().getState(timerDescriptor);
        MetricGroup group = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        fillPercent = VarflowMetrics.histogram(group, VarflowMetrics.BATCH_FILL_PERCENT);
        queueWait = VarflowMetrics.histogram(group, VarflowMetrics.QUEUE_WAIT_MS);
        group.gauge(VarflowMetrics.QUEUED_TASKS, () -> Math.max(0, queued));
    }

    @Override
    public void processElement(ImageWork work, Context ctx, Collector<TaskBatch> out) throws Exception {
        (work.schedule().priority() == Priority.INTERACTIVE ? interactive : bulk).add(work);
        int held = currentSize() + 1;
        size.update(held);
        queued++;
        long now = ctx.timerService().currentProcessingTime();
        if (held == 1) {
            ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
        }
        int maxBatch = maxBatch(work.draw().model());
        if (held >= options.priorityLookahead() * maxBatch) {
            flush(maxBatch, now, Flush.ONE, out);
        }
        scheduleFlush(ctx, now);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TaskBatch> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        String model = SubtaskRouting.modelOf(ctx.getCurrentKey());
        if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.EVENT_TIME) {
            flush(maxBatch(model), now, Flush.ALL, out);
            scheduleFlush(ctx, now);
            return;
        }
        if (flushTimer.value() != null && flushTimer.value() == timestamp) {
            flushTimer.clear();
        }
        flush(maxBatch(model), now, Flush.AGED, out);
        scheduleFlush(ctx, now);
    }

    /** Which batches a flush emits. */
    private enum Flush {
        /** Exactly one batch: the key is full. */
        ONE,
        /** Batches while the oldest held task has waited at least maxDelayMs. */
        AGED,
        /** Everything: the input has ended. */
        ALL
    }

    private void flush(int maxBatch, long now, Flush mode, Collector<TaskBatch> out) throws Exception {
        List<ImageWork> urgent = toList(interactive.get());
        List<ImageWork> normal = toList(bulk.get());
        boolean emitted = false;
        while (!urgent.isEmpty() || !normal.isEmpty()) {
            if (mode == Flush.AGED && now - oldest(urgent, normal) < options.maxDelayMs()) {
                break;
            }
            if (mode == Flush.ONE && emitted) {
                break;
            }
            List<ImageWork> batch = new ArrayList<>(maxBatch);
            take(urgent, batch, maxBatch);
            take(normal, batch, maxBatch);
            emit(batch, maxBatch, now, out);
            emitted = true;
        }
        interactive.update(urgent);
        bulk.update(normal);
        int left = urgent.size() + normal.size();
        if (left == 0) {
            size.clear();
        } else {
            size.update(left);
        }
    }

    private void emit(List<ImageWork> batch, int maxBatch, long now, Collector<TaskBatch> out) {
        for (ImageWork work : batch) {
            queueWait.update(Math.max(0, now - work.schedule().enqueuedAt()));
        }
        fillPercent.update(100L * batch.size() / maxBatch);
        queued -= batch.size();
        out.collect(new TaskBatch(batch.get(0).draw().model(), batch.toArray(new ImageWork[0]), maxBatch, now));
    }

    /** Keeps one processing-time timer per key, at the oldest task's deadline. */
    private void scheduleFlush(Context ctx, long now) throws Exception {
        if (currentSize() == 0) {
            Long pending = flushTimer.value();
            if (pending != null) {
                ctx.timerService().deleteProcessingTimeTimer(pending);
                flushTimer.clear();
            }
            return;
        }
        long deadline = oldest(toList(interactive.get()), toList(bulk.get())) + options.maxDelayMs();
        deadline = Math.max(deadline, now);
        Long pending = flushTimer.value();
        if (pending == null || pending != deadline) {
            if (pending != null) {
                ctx.timerService().deleteProcessingTimeTimer(pending);
            }
            ctx.timerService().registerProcessingTimeTimer(deadline);
            flushTimer.update(deadline);
        }
    }

    private int currentSize() throws Exception {
        Integer held = size.value();
        return held == null ? 0 : held;
    }

    private int maxBatch(String model) {
        return catalog.get(model).maxBatch();
    }

    private static long oldest(List<ImageWork> a, List<ImageWork> b) {
        long oldest = Long.MAX_VALUE;
        for (ImageWork w : a) {
            oldest = Math.min(oldest, w.schedule().enqueuedAt());
        }
        for (ImageWork w : b) {
            oldest = Math.min(oldest, w.schedule().enqueuedAt());
        }
        return oldest;
    }

    private static void take(List<ImageWork> from, List<ImageWork> into, int maxBatch) {
        int n = Math.min(from.size(), maxBatch - into.size());
        into.addAll(from.subList(0, n));
        from.subList(0, n).clear();
    }

    private static List<ImageWork> toList(Iterable<ImageWork> items) {
        List<ImageWork> list = new ArrayList<>();
        if (items != null) {
            items.forEach(list::add);
        }
        return list;
    }
}
