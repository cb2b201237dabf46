package io.varflow.operators.batch;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.metrics.VarflowMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Groups images into GPU-sized batches. Keyed by {@link ImageWork#routeKey()} (one model on one
 * subtask, see {@link SubtaskRouting}); all of a key's tasks share model and resolution.
 *
 * <p>A batch holds at most the model's {@code maxBatch} tasks, interactive tasks first, then bulk
 * tasks; within each class the earliest deadline first, then by arrival (tasks without a deadline
 * come after those with one). Flushes happen when the key holds {@code priorityLookahead x
 * maxBatch} tasks (full), when a task is due (processing-time timer), and at the end of a bounded
 * input (event-time timer at {@code Long.MAX_VALUE}, which only the final watermark reaches). A
 * task is due when it has waited {@code maxDelayMs}, or when only {@code maxDelayMs} are left
 * before its deadline: the batcher never holds a task into the time its batch needs to run. Queues
 * live in checkpointed keyed list state (PojoSerializer) and are cleared as tasks leave.
 *
 * <p>Deadlines are on the processing-time clock. A task whose deadline has passed when it arrives,
 * or when its key flushes (after a restore, when timers fire late), is not batched: it leaves on
 * the {@link #EXPIRED} side output, so it costs no model work; the job turns it into a failed image
 * that ends its request with status {@code expired} ({@link DeadlineMiss}).
 *
 * <p>Metrics: {@code batchFillPercent}, {@code queueWaitMs} (histograms), {@code queuedTasks}
 * (gauge, tasks this subtask holds; it starts at 0 after a restore), {@code expiredImages}
 * (counter); per model (group {@code model=<name>}) {@code queuedTasks} (gauge) and {@code
 * queueWaitMs}.
 */
public final class GpuBatcher extends KeyedProcessFunction<String, ImageWork, TaskBatch> {

    private static final long serialVersionUID = 1L;
    private static final long END_OF_INPUT = Long.MAX_VALUE;

    /** Tasks whose deadline passed while they waited (or before they arrived). */
    public static final OutputTag<ImageWork> EXPIRED =
            new OutputTag<>("expired", TypeInformation.of(ImageWork.class));

    /** Earliest deadline first; stable, so equal deadlines (and no deadline) keep arrival order. */
    private static final Comparator<ImageWork> EARLIEST_DEADLINE =
            Comparator.comparingLong(w -> w.schedule().deadline());

    private final ModelCatalog catalog;
    private final BatchingOptions options;

    private final ListStateDescriptor<ImageWork> interactiveDescriptor =
            new ListStateDescriptor<>("interactive", TypeInformation.of(ImageWork.class));
    private final ListStateDescriptor<ImageWork> bulkDescriptor =
            new ListStateDescriptor<>("bulk", TypeInformation.of(ImageWork.class));
    private final ValueStateDescriptor<Integer> sizeDescriptor =
            new ValueStateDescriptor<>("size", Types.INT);
    private final ValueStateDescriptor<Long> timerDescriptor =
            new ValueStateDescriptor<>("flushTimer", Types.LONG);

    private transient ListState<ImageWork> interactive;
    private transient ListState<ImageWork> bulk;
    private transient ValueState<Integer> size;
    private transient ValueState<Long> flushTimer;
    private transient MetricGroup metrics;
    private transient Histogram fillPercent;
    private transient Histogram queueWait;
    private transient Counter expired;
    private transient long queued;
    private transient Map<String, ModelQueueMetrics> perModel;

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
        metrics = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        fillPercent = VarflowMetrics.histogram(metrics, VarflowMetrics.BATCH_FILL_PERCENT);
        queueWait = VarflowMetrics.histogram(metrics, VarflowMetrics.QUEUE_WAIT_MS);
        expired = metrics.counter(VarflowMetrics.EXPIRED_IMAGES);
        metrics.gauge(VarflowMetrics.QUEUED_TASKS, () -> Math.max(0, queued));
        perModel = new HashMap<>();
    }

    @Override
    public void processElement(ImageWork work, Context ctx, Collector<TaskBatch> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (work.schedule().deadline() <= now) {
            expire(work, ctx);
            return;
        }
        (work.schedule().priority() == Priority.INTERACTIVE ? interactive : bulk).add(work);
        int held = currentSize() + 1;
        size.update(held);
        queued++;
        model(work.draw().model()).queued++;
        if (held == 1) {
            ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
        }
        int maxBatch = maxBatch(work.draw().model());
        if (held >= options.priorityLookahead() * maxBatch) {
            flush(maxBatch, now, Flush.ONE, ctx, out);
        }
        scheduleFlush(ctx, now);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TaskBatch> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        String model = SubtaskRouting.modelOf(ctx.getCurrentKey());
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            flush(maxBatch(model), now, Flush.ALL, ctx, out);
            scheduleFlush(ctx, now);
            return;
        }
        if (flushTimer.value() != null && flushTimer.value() == timestamp) {
            flushTimer.clear();
        }
        flush(maxBatch(model), now, Flush.DUE, ctx, out);
        scheduleFlush(ctx, now);
    }

    /** Which batches a flush emits. */
    private enum Flush {
        /** Exactly one batch: the key is full. */
        ONE,
        /** Batches while a held task is due. */
        DUE,
        /** Everything: the input has ended. */
        ALL
    }

    private void flush(int maxBatch, long now, Flush mode, Context ctx, Collector<TaskBatch> out)
            throws Exception {
        List<ImageWork> urgent = live(interactive.get(), now, ctx);
        List<ImageWork> normal = live(bulk.get(), now, ctx);
        boolean emitted = false;
        while (!urgent.isEmpty() || !normal.isEmpty()) {
            if (mode == Flush.DUE && firstDue(urgent, normal) > now) {
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

    /** The queue in batch order, without (and expiring) the tasks whose deadline has passed. */
    private List<ImageWork> live(Iterable<ImageWork> queue, long now, Context ctx) {
        List<ImageWork> live = new ArrayList<>();
        if (queue != null) {
            for (ImageWork work : queue) {
                if (work.schedule().deadline() <= now) {
                    queued--;
                    model(work.draw().model()).queued--;
                    expire(work, ctx);
                } else {
                    live.add(work);
                }
            }
        }
        live.sort(EARLIEST_DEADLINE);
        return live;
    }

    private void expire(ImageWork work, Context ctx) {
        expired.inc();
        ctx.output(EXPIRED, work);
    }

    private void emit(List<ImageWork> batch, int maxBatch, long now, Collector<TaskBatch> out) {
        String model = batch.get(0).draw().model();
        ModelQueueMetrics modelMetrics = model(model);
        for (ImageWork work : batch) {
            long waited = Math.max(0, now - work.schedule().enqueuedAt());
            queueWait.update(waited);
            modelMetrics.queueWait.update(waited);
        }
        fillPercent.update(100L * batch.size() / maxBatch);
        queued -= batch.size();
        modelMetrics.queued -= batch.size();
        out.collect(new TaskBatch(model, batch.toArray(new ImageWork[0]), maxBatch, now));
    }

    /** Keeps one processing-time timer per key, at the moment the first held task is due. */
    private void scheduleFlush(Context ctx, long now) throws Exception {
        Long pending = flushTimer.value();
        if (currentSize() == 0) {
            if (pending != null) {
                ctx.timerService().deleteProcessingTimeTimer(pending);
                flushTimer.clear();
            }
            return;
        }
        long due = Math.max(firstDue(toList(interactive.get()), toList(bulk.get())), now);
        if (pending == null || pending != due) {
            if (pending != null) {
                ctx.timerService().deleteProcessingTimeTimer(pending);
            }
            ctx.timerService().registerProcessingTimeTimer(due);
            flushTimer.update(due);
        }
    }

    /**
     * When the first of these tasks is due: it has waited maxDelayMs, or maxDelayMs are left to its
     * deadline.
     */
    private long firstDue(List<ImageWork> a, List<ImageWork> b) {
        long first = Long.MAX_VALUE;
        for (List<ImageWork> queue : List.of(a, b)) {
            for (ImageWork w : queue) {
                first = Math.min(first, due(w));
            }
        }
        return first;
    }

    private long due(ImageWork work) {
        long aged = work.schedule().enqueuedAt() + options.maxDelayMs();
        long deadline = work.schedule().deadline();
        return deadline == Long.MAX_VALUE ? aged : Math.min(aged, deadline - options.maxDelayMs());
    }

    private int currentSize() throws Exception {
        Integer held = size.value();
        return held == null ? 0 : held;
    }

    private int maxBatch(String model) {
        return catalog.get(model).maxBatch();
    }

    private ModelQueueMetrics model(String model) {
        return perModel.computeIfAbsent(
                model, m -> new ModelQueueMetrics(metrics.addGroup(VarflowMetrics.MODEL_GROUP, m)));
    }

    /** Queue length and wait of one model on this subtask. */
    private static final class ModelQueueMetrics {
        private long queued;
        private final Histogram queueWait;

        ModelQueueMetrics(MetricGroup group) {
            queueWait = VarflowMetrics.histogram(group, VarflowMetrics.QUEUE_WAIT_MS);
            group.gauge(VarflowMetrics.QUEUED_TASKS, () -> Math.max(0, queued));
        }
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
