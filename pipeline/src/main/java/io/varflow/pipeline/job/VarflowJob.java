package io.varflow.pipeline.job;

import io.varflow.operators.GenerationFlow;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.ResultEvent;
import io.varflow.operators.sample.GeneratorFactory;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Assembles the varflow job on an environment:
 *
 * <pre>
 * Kafka requests ─▶ validate ─▶ expand ─┐
 * Kafka edits ─▶ validate + fetch source ┴▶ batch ─▶ sample ─▶ store (S3) ─▶ results ─▶ Kafka results
 *              └─ dead letters of both (side outputs) ─────────────────────────▶ Kafka dead letters
 * </pre>
 *
 * The operators between source and sinks are the operators module's {@link GenerationFlow}; this
 * class adds the Kafka sources, the outcome sinks (exactly once unless {@code job.result-delivery}
 * says at-least-once) and the settings. Operator uids are fixed so checkpoints and savepoints stay
 * restorable.
 */
public final class VarflowJob {

    static final String UID_SOURCE = "varflow-requests-source";
    static final String UID_EDITS_SOURCE = "varflow-edits-source";
    static final String UID_DEAD_LETTER_SINK = "varflow-dead-letters-sink";
    static final String UID_RESULTS_SINK = "varflow-results-sink";

    /** Reason length of a dead letter that had to be shortened to fit a record. */
    static final int SHORT_REASON_CHARS = 500;

    /**
     * Key groups of the keyed operators; fixed so a job can be rescaled up to this parallelism from
     * a checkpoint.
     */
    static final int MAX_PARALLELISM = 128;

    private VarflowJob() {}

    /**
     * Checks the settings that only make sense together (the models: checkpoints and their config,
     * device and precision, placement on the job's subtasks; the operators' limits) without reading
     * any file, so a command can refuse them before it starts anything; {@link #build} checks them
     * again.
     */
    public static void checkSettings(JobConfig config) {
        ModelCatalogs.check(config);
        GeneratorFactories.runtime(config);
        OperatorOptions.requestLimits(config);
        OperatorOptions.editLimits(config);
        OperatorOptions.batching(config);
        OperatorOptions.storeRetry(config);
        OperatorOptions.outputLimits(config);
        FlinkSettings.of(config);
    }

    /** Adds the job's operators to {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobConfig config) {
        build(env, config, GeneratorFactories.from(config));
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, JobConfig)}, with the sampling operator's models
     * from {@code generators}.
     */
    public static void build(
            StreamExecutionEnvironment env, JobConfig config, GeneratorFactory generators) {
        int parallelism = config.get(JobOptions.JOB_PARALLELISM);
        env.setParallelism(parallelism);
        env.setMaxParallelism(MAX_PARALLELISM);

        DataStream<RawRecord> raw =
                env.fromSource(
                                KafkaConnectors.requests(config),
                                WatermarkStrategy.noWatermarks(),
                                "requests")
                        .uid(UID_SOURCE)
                        .name("Kafka requests");
        DataStream<RawRecord> edits =
                env.fromSource(
                                KafkaConnectors.edits(config),
                                WatermarkStrategy.noWatermarks(),
                                "edits")
                        .uid(UID_EDITS_SOURCE)
                        .name("Kafka edits");

        GenerationFlow.Outputs out =
                GenerationFlow.builder()
                        .setCatalog(ModelCatalogs.from(config))
                        .setGeneratorFactory(generators)
                        .setObjectStore(GeneratorFactories.objectStore(config))
                        .optLimits(OperatorOptions.requestLimits(config))
                        .optEditLimits(OperatorOptions.editLimits(config))
                        .optOutputLimits(OperatorOptions.outputLimits(config))
                        .optArchiveDeadLetterOriginals(
                                config.get(JobOptions.DEAD_LETTER_ARCHIVE_ORIGINALS))
                        .optBatching(OperatorOptions.batching(config))
                        .optStoreRetry(OperatorOptions.storeRetry(config))
                        .optCompletedTtl(config.get(JobOptions.REQUESTS_COMPLETED_TTL))
                        .optSamplingParallelism(parallelism)
                        .optMaxParallelism(MAX_PARALLELISM)
                        .build()
                        .apply(raw, edits);

        out.deadLetters()
                .sinkTo(
                        KafkaConnectors.outcomes(
                                config,
                                config.require(JobOptions.TOPIC_DEAD_LETTERS),
                                "dead-letters",
                                new DeadLetterKey(),
                                letter -> letter.bounded(0, SHORT_REASON_CHARS)))
                .uid(UID_DEAD_LETTER_SINK)
                .name("Kafka dead letters");
        out.results()
                .sinkTo(
                        KafkaConnectors.outcomes(
                                config,
                                config.require(JobOptions.TOPIC_RESULTS),
                                "results",
                                new ResultKey(),
                                event -> event.listingAtMost(0)))
                .uid(UID_RESULTS_SINK)
                .name("Kafka results");
    }

    /**
     * Dead letters keyed by request id when one was read, so a request's history shares a
     * partition.
     */
    static final class DeadLetterKey implements SerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(DeadLetter letter) {
            return letter.requestId() == null
                    ? null
                    : letter.requestId().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Results keyed by request id. */
    static final class ResultKey implements SerializationSchema<ResultEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(ResultEvent event) {
            return event.requestId().getBytes(StandardCharsets.UTF_8);
        }
    }
}
