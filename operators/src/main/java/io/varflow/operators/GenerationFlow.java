package io.varflow.operators;

import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.batch.DeadlineMiss;
import io.varflow.operators.batch.ExpandRequestFunction;
import io.varflow.operators.batch.GpuBatcher;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.SubtaskRouting;
import io.varflow.operators.batch.TaskBatch;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.edit.EditLimits;
import io.varflow.operators.edit.EditValidator;
import io.varflow.operators.edit.ResolveEditFunction;
import io.varflow.operators.eval.EvalRequestExpander;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.messages.OutputLimits;
import io.varflow.operators.messages.ResultEvent;
import io.varflow.operators.result.ResultAggregator;
import io.varflow.operators.sample.GeneratedArtifact;
import io.varflow.operators.sample.GeneratorFactory;
import io.varflow.operators.sample.SampleBatchFunction;
import io.varflow.operators.store.ArchiveDeadLetterOriginals;
import io.varflow.operators.store.JitteredBackoff;
import io.varflow.operators.store.ObjectStoreConfig;
import io.varflow.operators.store.StoreArtifactFunction;
import io.varflow.operators.store.StoreRetryOptions;
import io.varflow.operators.store.StoredImage;
import io.varflow.operators.validate.BoundDeadLetters;
import io.varflow.operators.validate.DropRepeatedRequests;
import io.varflow.operators.validate.RefuseOversizedRecords;
import io.varflow.operators.validate.RequestLimits;
import io.varflow.operators.validate.RequestValidator;
import io.varflow.operators.validate.ValidRequest;
import io.varflow.operators.validate.ValidateRequestFunction;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires varflow's operators from raw request records to result events and dead letters:
 *
 * <pre>
 * RawRecord -> longer than the limit? (RefuseOversizedRecords) --(side output)--> DeadLetter
 *           -> eval sets to per-class requests (EvalRequestExpander) --(side output)--> DeadLetter
 *           -> validate --(side output)--> DeadLetter
 *           -> expand (ImageWork per image, seeds, route keys)
 *           -> keyBy(routeKey) -> batch (GpuBatcher)  \  samplingParallelism subtasks,
 *           -> sample (SampleBatchFunction)            |  one per GPU, chained
 *              (images past their deadline skip the model: batcher side output / sampler check)
 *           -> encode + store (async, retried, S3)     /
 *           -> keyBy(requestId) -> results (ResultAggregator) -> ResultEvent
 * edit RawRecord -> longer than the limit? -> validate + fetch source (ResolveEditFunction) --> DeadLetter
 *                -> interactive ImageWork, joining the images above before the batcher
 * every DeadLetter -> cut to the OutputLimits (BoundDeadLetters; or, when archiving, ArchiveDeadLetterOriginals)
 * </pre>
 *
 * <p>Nothing here can stop the job for one record: oversized values are refused before any parsing,
 * dead letters and result events are bounded ({@link OutputLimits}), and the store rides out
 * outages with jittered retries for the {@link StoreRetryOptions} budget while back-pressuring the
 * job.
 *
 * <p>Between validate and expand, requests are keyed by requestId and {@link DropRepeatedRequests}
 * (uid {@code varflow-dedupe}) drops a requestId already served: it is the idempotency key.
 *
 * <p>Sources and sinks (Kafka, exactly-once result producer) are the job assembly's: feed {@link
 * #apply} any {@code DataStream<RawRecord>} (e.g. a KafkaSource with {@link
 * io.varflow.operators.ingest.RawRecordDeserializationSchema}).
 *
 * <pre>{@code
 * GenerationFlow.Outputs out = GenerationFlow.builder()
 *         .setCatalog(ModelCatalog.of(List.of(ModelSpec.tiny(8))))
 *         .setGeneratorFactory(VarModelFactory.cpu())
 *         .setObjectStore(storeConfig)
 *         .optSamplingParallelism(2)
 *         .build()
 *         .apply(rawRecords);
 * out.results().sinkTo(resultSink);
 * out.deadLetters().sinkTo(deadLetterSink);
 * }</pre>
 *
 * Every operator has a stable uid ({@code varflow-size-check}, {@code varflow-eval-expand}, {@code
 * varflow-validate}, {@code -expand}, {@code -batch}, {@code -sample}, {@code -expired}, {@code
 * -store}, {@code -results}) so savepoints survive job changes.
 */
public final class GenerationFlow {

    /** The flow's two outputs. */
    public record Outputs(DataStream<ResultEvent> results, DataStream<DeadLetter> deadLetters) {}

    private final ModelCatalog catalog;
    private final GeneratorFactory generatorFactory;
    private final ObjectStoreConfig objectStore;
    private final RequestLimits limits;
    private final EditLimits editLimits;
    private final OutputLimits outputLimits;
    private final boolean archiveOriginals;
    private final BatchingOptions batching;
    private final StoreRetryOptions storeRetry;
    private final int samplingParallelism;
    private final int maxParallelism;
    private final Duration completedTtl;

    private GenerationFlow(Builder b) {
        this.catalog = b.catalog;
        this.generatorFactory = b.generatorFactory;
        this.objectStore = b.objectStore;
        this.limits = b.limits;
        this.editLimits = b.editLimits;
        this.outputLimits = b.outputLimits;
        this.archiveOriginals = b.archiveOriginals;
        this.batching = b.batching;
        this.storeRetry = b.storeRetry;
        this.samplingParallelism = b.samplingParallelism;
        this.maxParallelism = b.maxParallelism;
        this.completedTtl = b.completedTtl;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds the operators after {@code raw} and returns the result and dead-letter streams. */
    public Outputs apply(DataStream<RawRecord> raw) {
        return apply(raw, null);
    }

    /**
     * As {@link #apply(DataStream)}, plus edit records ({@code schemas/edit-request.schema.json})
     * when {@code edits} is not null: they are validated and their sources fetched ({@link
     * ResolveEditFunction}, uid {@code varflow-edits}), then join the generation images at
     * interactive priority in the same batcher, sampler, store and results operators; refused edits
     * join the dead letters.
     */
    public Outputs apply(DataStream<RawRecord> raw, DataStream<RawRecord> edits) {
        // Evaluation-set requests become one ordinary generation request per class
        // (docs/evaluation.md).
        SingleOutputStreamOperator<RawRecord> sized =
                raw.process(
                                new RefuseOversizedRecords(limits.maxMessageBytes()),
                                TypeInformation.of(RawRecord.class))
                        .uid("varflow-size-check")
                        .name("refuse oversized requests");
        SingleOutputStreamOperator<RawRecord> requests =
                sized.process(new EvalRequestExpander(catalog), TypeInformation.of(RawRecord.class))
                        .uid("varflow-eval-expand")
                        .name("expand evaluation sets");
        SingleOutputStreamOperator<ValidRequest> valid =
                requests.process(
                                new ValidateRequestFunction(new RequestValidator(catalog, limits)),
                                TypeInformation.of(ValidRequest.class))
                        .uid("varflow-validate")
                        .name("validate requests");
        DataStream<DeadLetter> deadLetters =
                valid.getSideOutput(DeadLetters.TAG)
                        .union(
                                requests.getSideOutput(DeadLetters.TAG),
                                sized.getSideOutput(DeadLetters.TAG));

        SubtaskRouting routing = SubtaskRouting.of(catalog, samplingParallelism, maxParallelism);
        SingleOutputStreamOperator<ImageWork> work =
                valid.keyBy(ValidRequest::requestId)
                        .process(
                                new DropRepeatedRequests(completedTtl),
                                TypeInformation.of(ValidRequest.class))
                        .uid("varflow-dedupe")
                        .name("drop repeated requestIds")
                        .process(
                                new ExpandRequestFunction(routing),
                                TypeInformation.of(ImageWork.class))
                        .uid("varflow-expand")
                        .name("expand into images");

        DataStream<ImageWork> allWork = work;
        if (edits != null) {
            SingleOutputStreamOperator<RawRecord> sizedEdits =
                    edits.process(
                                    new RefuseOversizedRecords(editLimits.maxMessageBytes()),
                                    TypeInformation.of(RawRecord.class))
                            .uid("varflow-edits-size-check")
                            .name("refuse oversized edits");
            SingleOutputStreamOperator<ImageWork> editWork =
                    sizedEdits
                            .process(
                                    new ResolveEditFunction(
                                            new EditValidator(catalog, editLimits),
                                            routing,
                                            objectStore),
                                    TypeInformation.of(ImageWork.class))
                            .uid("varflow-edits")
                            .name("validate and fetch edits");
            allWork = work.union(editWork);
            deadLetters =
                    deadLetters.union(
                            editWork.getSideOutput(DeadLetters.TAG),
                            sizedEdits.getSideOutput(DeadLetters.TAG));
        }

        SingleOutputStreamOperator<TaskBatch> batches =
                allWork.keyBy(ImageWork::routeKey)
                        .process(
                                new GpuBatcher(catalog, batching),
                                TypeInformation.of(TaskBatch.class))
                        .uid("varflow-batch")
                        .name("batch for GPU")
                        .setParallelism(samplingParallelism)
                        .setMaxParallelism(maxParallelism);

        SingleOutputStreamOperator<GeneratedArtifact> sampled =
                batches.process(
                                new SampleBatchFunction(catalog, generatorFactory),
                                TypeInformation.of(GeneratedArtifact.class))
                        .uid("varflow-sample")
                        .name("sample (VAR)")
                        .setParallelism(samplingParallelism);
        // Images that missed their deadline in the batcher skip the model and end as missed images.
        DataStream<GeneratedArtifact> artifacts =
                sampled.union(
                        batches.getSideOutput(GpuBatcher.EXPIRED)
                                .map(
                                        missed ->
                                                DeadlineMiss.passed(
                                                        missed, System.currentTimeMillis()),
                                        TypeInformation.of(GeneratedArtifact.class))
                                .uid("varflow-expired")
                                .name("deadline missed")
                                .setParallelism(samplingParallelism));

        // The store gets a task thread of its own (and encodes PNGs and token maps on its own
        // pool):
        // encoding, signing and sending would otherwise run on the sampling thread, between
        // batches.
        SingleOutputStreamOperator<StoredImage> stored =
                store(artifacts, objectStore, catalog, storeRetry)
                        .setParallelism(samplingParallelism)
                        .startNewChain();

        SingleOutputStreamOperator<ResultEvent> results =
                stored.keyBy(StoredImage::requestId)
                        .process(
                                new ResultAggregator(completedTtl, outputLimits.maxListedImages()),
                                TypeInformation.of(ResultEvent.class))
                        .uid("varflow-results")
                        .name("collect results");
        return new Outputs(results, bounded(deadLetters));
    }

    /**
     * Dead letters cut to the {@link OutputLimits}; with the archive on, long originals are first
     * stored whole in the bucket ({@link ArchiveDeadLetterOriginals}, uid {@code
     * varflow-dead-letter-archive}).
     */
    private DataStream<DeadLetter> bounded(DataStream<DeadLetter> deadLetters) {
        if (!archiveOriginals) {
            return deadLetters
                    .map(new BoundDeadLetters(outputLimits), TypeInformation.of(DeadLetter.class))
                    .uid("varflow-dead-letter-bounds")
                    .name("bound dead letters");
        }
        return AsyncDataStream.unorderedWaitWithRetry(
                        deadLetters,
                        new ArchiveDeadLetterOriginals(objectStore, outputLimits, storeRetry),
                        storeRetry.timeoutMs(),
                        TimeUnit.MILLISECONDS,
                        storeRetry.capacity(),
                        JitteredBackoff.<DeadLetter>of(storeRetry))
                .uid("varflow-dead-letter-archive")
                .name("archive and bound dead letters");
    }

    /**
     * The store step on its own: {@link StoreArtifactFunction} behind Flink's async operator with
     * jittered exponential-backoff retries ({@link JitteredBackoff}) and an overall timeout per
     * image; exhausted retries fail the job. The catalog gives each model's scales for its token
     * maps.
     */
    public static SingleOutputStreamOperator<StoredImage> store(
            DataStream<GeneratedArtifact> artifacts,
            ObjectStoreConfig objectStore,
            ModelCatalog catalog,
            StoreRetryOptions storeRetry) {
        return AsyncDataStream.unorderedWaitWithRetry(
                        artifacts,
                        new StoreArtifactFunction(objectStore, catalog, storeRetry),
                        storeRetry.timeoutMs(),
                        TimeUnit.MILLISECONDS,
                        storeRetry.capacity(),
                        JitteredBackoff.<StoredImage>of(storeRetry))
                .uid("varflow-store")
                .name("store objects");
    }

    /**
     * How long a completed requestId is remembered unless {@link Builder#optCompletedTtl} says
     * otherwise.
     */
    public static final Duration DEFAULT_COMPLETED_TTL = Duration.ofDays(7);

    /** Builder: {@code set*} are required, {@code opt*} have defaults. */
    public static final class Builder {
        private ModelCatalog catalog;
        private GeneratorFactory generatorFactory;
        private ObjectStoreConfig objectStore;
        private RequestLimits limits = RequestLimits.DEFAULTS;
        private EditLimits editLimits = EditLimits.DEFAULTS;
        private OutputLimits outputLimits = OutputLimits.DEFAULTS;
        private boolean archiveOriginals;
        private BatchingOptions batching = BatchingOptions.DEFAULTS;
        private StoreRetryOptions storeRetry = StoreRetryOptions.DEFAULTS;
        private int samplingParallelism = 1;
        private int maxParallelism = 128;
        private Duration completedTtl = DEFAULT_COMPLETED_TTL;

        private Builder() {}

        public Builder setCatalog(ModelCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        public Builder setGeneratorFactory(GeneratorFactory factory) {
            this.generatorFactory = factory;
            return this;
        }

        public Builder setObjectStore(ObjectStoreConfig store) {
            this.objectStore = store;
            return this;
        }

        public Builder optLimits(RequestLimits limits) {
            this.limits = limits;
            return this;
        }

        /** Size limits of edit requests (default {@link EditLimits#DEFAULTS}). */
        public Builder optEditLimits(EditLimits limits) {
            this.editLimits = limits;
            return this;
        }

        /** Bounds on dead letters and result events (default {@link OutputLimits#DEFAULTS}). */
        public Builder optOutputLimits(OutputLimits limits) {
            this.outputLimits = limits;
            return this;
        }

        /**
         * Store dead letters' originals longer than the limit whole in the bucket (default false).
         */
        public Builder optArchiveDeadLetterOriginals(boolean archive) {
            this.archiveOriginals = archive;
            return this;
        }

        public Builder optBatching(BatchingOptions batching) {
            this.batching = batching;
            return this;
        }

        public Builder optStoreRetry(StoreRetryOptions retry) {
            this.storeRetry = retry;
            return this;
        }

        /** Sampling subtasks, one per GPU (default 1). */
        public Builder optSamplingParallelism(int parallelism) {
            this.samplingParallelism = parallelism;
            return this;
        }

        /** Max parallelism of the batcher (default 128); fixes its key groups across rescaling. */
        public Builder optMaxParallelism(int maxParallelism) {
            this.maxParallelism = maxParallelism;
            return this;
        }

        /**
         * How long a requestId is remembered to suppress repeats and duplicate results (default 7
         * days).
         */
        public Builder optCompletedTtl(Duration ttl) {
            this.completedTtl = ttl;
            return this;
        }

        public GenerationFlow build() {
            Objects.requireNonNull(catalog, "setCatalog is required");
            Objects.requireNonNull(generatorFactory, "setGeneratorFactory is required");
            Objects.requireNonNull(objectStore, "setObjectStore is required");
            if (samplingParallelism < 1 || maxParallelism < samplingParallelism) {
                throw new IllegalArgumentException(
                        "need 1 <= sampling parallelism ("
                                + samplingParallelism
                                + ") <= max parallelism ("
                                + maxParallelism
                                + ")");
            }
            if (completedTtl.isNegative() || completedTtl.isZero()) {
                throw new IllegalArgumentException(
                        "completed TTL must be positive, got " + completedTtl);
            }
            return new GenerationFlow(this);
        }
    }
}
