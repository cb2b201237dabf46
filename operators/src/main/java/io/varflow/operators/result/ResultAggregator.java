package io.varflow.operators.result;

import io.varflow.operators.batch.DeadlineMiss;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.OutputLimits;
import io.varflow.operators.messages.ResultEvent;
import io.varflow.operators.metrics.VarflowMetrics;
import io.varflow.operators.store.StoredImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Emits exactly one {@link ResultEvent} per request: keyed by requestId, it collects the request's
 * {@link StoredImage}s by index (a replayed image replaces, never double-counts) and emits when all
 * {@code count} indices are in. It then clears them and keeps a "completed" marker for {@code
 * completedTtl}, so images of the same requestId arriving later (a client re-sending it, a replay
 * after restore) are dropped instead of producing a second event. All of it is checkpointed keyed
 * state: with exactly-once checkpoints and a transactional result sink this holds across restarts.
 * Status is {@code expired} (error {@code DEADLINE_EXCEEDED}) if any image missed the request's
 * deadline ({@link DeadlineMiss}), else {@code failed} if any image failed in the model.
 *
 * <p>Metrics: {@code resultsEmitted}, {@code duplicatesDropped}, {@code requestsExpired}
 * (counters).
 */
public final class ResultAggregator extends KeyedProcessFunction<String, StoredImage, ResultEvent> {

    private static final long serialVersionUID = 1L;

    private final Duration completedTtl;
    private final int maxListedImages;

    private transient MapState<Integer, StoredImage> images;
    private transient ValueState<Boolean> completed;
    private transient Counter emitted;
    private transient Counter duplicates;
    private transient Counter expired;

    /**
     * @param completedTtl how long a completed requestId is remembered (e.g. 7 days)
     */
    public ResultAggregator(Duration completedTtl) {
        this(completedTtl, OutputLimits.DEFAULTS.maxListedImages());
    }

    /**
     * @param completedTtl how long a completed requestId is remembered (e.g. 7 days)
     * @param maxListedImages most images an event lists ({@link ResultEvent#listingAtMost})
     */
    public ResultAggregator(Duration completedTtl, int maxListedImages) {
        this.completedTtl = completedTtl;
        this.maxListedImages = maxListedImages;
    }

    @Override
    public void open(OpenContext openContext) {
        images =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "images",
                                        Types.INT,
                                        TypeInformation.of(StoredImage.class)));
        ValueStateDescriptor<Boolean> marker =
                new ValueStateDescriptor<>("completed", Types.BOOLEAN);
        marker.enableTimeToLive(
                StateTtlConfig.newBuilder(completedTtl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        completed = getRuntimeContext().getState(marker);
        var group = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        emitted = group.counter(VarflowMetrics.RESULTS_EMITTED);
        duplicates = group.counter(VarflowMetrics.DUPLICATES_DROPPED);
        expired = group.counter(VarflowMetrics.REQUESTS_EXPIRED);
    }

    @Override
    public void processElement(StoredImage image, Context ctx, Collector<ResultEvent> out)
            throws Exception {
        if (Boolean.TRUE.equals(completed.value())) {
            duplicates.inc();
            return;
        }
        images.put(image.index(), image);
        int held = 0;
        for (Integer ignored : images.keys()) {
            held++;
        }
        if (held < image.count()) {
            return;
        }
        List<StoredImage> all = new ArrayList<>(held);
        for (Map.Entry<Integer, StoredImage> e : images.entries()) {
            all.add(e.getValue());
        }
        all.sort((a, b) -> Integer.compare(a.index(), b.index()));
        ResultEvent event = toEvent(all).listingAtMost(maxListedImages);
        out.collect(event);
        emitted.inc();
        if (event.status() == ResultEvent.Status.EXPIRED) {
            expired.inc();
        }
        images.clear();
        completed.update(true);
    }

    static ResultEvent toEvent(List<StoredImage> all) {
        StoredImage first = all.get(0);
        List<ResultEvent.Image> entries = new ArrayList<>(all.size());
        long completedAt = 0;
        long maxWait = 0;
        long sample = 0;
        long store = 0;
        String error = null;
        for (StoredImage s : all) {
            entries.add(
                    new ResultEvent.Image(
                            s.index(),
                            s.label(),
                            s.seed(),
                            s.imageUri(),
                            s.tokenMapUri(),
                            s.error()));
            completedAt = Math.max(completedAt, s.storedAt());
            maxWait = Math.max(maxWait, s.queueWaitMs());
            sample += s.sampleMs();
            store += s.storeMs();
            if (error == null && s.error() != null) {
                error = "image " + s.index() + ": " + s.error();
            }
        }
        long failed = all.stream().filter(s -> s.error() != null).count();
        ResultEvent.Timings timings =
                new ResultEvent.Timings(
                        first.receivedAt(),
                        completedAt,
                        Math.max(0, completedAt - first.receivedAt()),
                        maxWait,
                        sample,
                        store);
        if (error == null) {
            return new ResultEvent(
                    first.requestId(),
                    ResultEvent.Status.SUCCEEDED,
                    first.model(),
                    entries,
                    timings,
                    null);
        }
        List<StoredImage> missed = all.stream().filter(s -> DeadlineMiss.is(s.error())).toList();
        if (!missed.isEmpty()) {
            String message =
                    missed.size()
                            + " of "
                            + all.size()
                            + " images missed the deadline; first: image "
                            + missed.get(0).index()
                            + ": "
                            + missed.get(0).error();
            return new ResultEvent(
                    first.requestId(),
                    ResultEvent.Status.EXPIRED,
                    first.model(),
                    entries,
                    timings,
                    new ResultEvent.Error(ErrorCode.DEADLINE_EXCEEDED, message));
        }
        String message = failed + " of " + all.size() + " images failed; first: " + error;
        return new ResultEvent(
                first.requestId(),
                ResultEvent.Status.FAILED,
                first.model(),
                entries,
                timings,
                new ResultEvent.Error(ErrorCode.GENERATION_FAILED, message));
    }
}
