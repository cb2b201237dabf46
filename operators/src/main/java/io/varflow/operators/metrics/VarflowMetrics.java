package io.varflow.operators.metrics;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Names and factories of varflow's Flink metrics. All live in the {@code varflow} group below the
 * operator's group, e.g. {@code <job>.<operator>.<subtask>.varflow.imagesPerSecond}; reporters
 * (Prometheus, JMX, slf4j) export them like any Flink metric. See docs/architecture.md, "Metrics".
 */
public final class VarflowMetrics {

    public static final String GROUP = "varflow";

    /** Records refused by validation (counter, validator). */
    public static final String DEAD_LETTERS = "deadLetters";

    /** Requests accepted by validation (counter, validator). */
    public static final String REQUESTS_ACCEPTED = "requestsAccepted";

    /** Requests dropped because their requestId was already served (counter, dedupe). */
    public static final String REPEATED_REQUESTS = "repeatedRequests";

    /** Images generated per second (meter, sampler). */
    public static final String IMAGES_PER_SECOND = "imagesPerSecond";

    /** Images generated (counter, sampler). */
    public static final String IMAGES_GENERATED = "imagesGenerated";

    /** Batch size / the model's maximum batch, in percent (histogram, batcher). */
    public static final String BATCH_FILL_PERCENT = "batchFillPercent";

    /** Time a task waited in the batcher, ms (histogram, batcher). */
    public static final String QUEUE_WAIT_MS = "queueWaitMs";

    /** Tasks currently waiting in the batcher (gauge, batcher). */
    public static final String QUEUED_TASKS = "queuedTasks";

    /** Time to run one batch through the model, ms (histogram, sampler). */
    public static final String BATCH_MS = "batchMs";

    /** Batches that failed in the model (counter, sampler). */
    public static final String FAILED_BATCHES = "failedBatches";

    /** Images that missed their deadline and were never sampled (counter, batcher and sampler). */
    public static final String EXPIRED_IMAGES = "expiredImages";

    /** Requests that ended with status expired (counter, results). */
    public static final String REQUESTS_EXPIRED = "requestsExpired";

    /**
     * The sampler's running estimate of one batch's time, ms, used to refuse hopeless deadlines
     * (gauge, per model).
     */
    public static final String EXPECTED_BATCH_MS = "expectedBatchMs";

    /**
     * Images the model failed on alone, after their batch was split to isolate them (counter,
     * sampler).
     */
    public static final String ISOLATED_FAILURES = "isolatedFailures";

    /**
     * The batch limit in force for a model on this subtask (gauge, sampler, in the model's group).
     */
    public static final String BATCH_LIMIT = "batchLimit";

    /**
     * Time of one scale of a model call (its transformer and sampling work), ms (histogram,
     * sampler, in the model's group under {@link #SCALE_GROUP}, e.g. {@code
     * varflow.model.d16.scale.9.scaleMs}).
     */
    public static final String SCALE_MS = "scaleMs";

    /** Key of the per-scale subgroup of a model's group; its value is the scale index (0 = 1x1). */
    public static final String SCALE_GROUP = "scale";

    /** Key of the per-model subgroup, e.g. {@code varflow.model.tiny.batchLimit}. */
    public static final String MODEL_GROUP = "model";

    /** Objects stored (counter, store). */
    public static final String OBJECTS_STORED = "objectsStored";

    /** Store attempts that failed and were retried (counter, store). */
    public static final String STORE_RETRIES = "storeRetries";

    /** Time to store one image's objects, ms (histogram, store). */
    public static final String STORE_MS = "storeMs";

    /** Result events emitted (counter, results). */
    public static final String RESULTS_EMITTED = "resultsEmitted";

    /**
     * Images that arrived again for an already completed request and were dropped (counter,
     * results).
     */
    public static final String DUPLICATES_DROPPED = "duplicatesDropped";

    private static final int HISTOGRAM_WINDOW = 1024;

    private VarflowMetrics() {}

    /** The varflow group below an operator's metric group. */
    public static MetricGroup group(MetricGroup operatorGroup) {
        return operatorGroup.addGroup(GROUP);
    }

    public static Histogram histogram(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    /** A per-second rate over the last 60 s of a counter registered under {@code counterName}. */
    public static Meter meter(MetricGroup group, String meterName, String counterName) {
        return group.meter(meterName, new MeterView(group.counter(counterName)));
    }
}
