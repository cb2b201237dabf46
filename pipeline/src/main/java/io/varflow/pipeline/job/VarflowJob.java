package io.varflow.pipeline.job;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.eval.EvalRequestExpander;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.validate.DeadLetters;
import io.varflow.operators.validate.RequestLimits;
import io.varflow.operators.validate.RequestValidator;
import io.varflow.operators.validate.ValidRequest;
import io.varflow.operators.validate.ValidateRequestFunction;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Assembles the varflow job on an environment:
 *
 * <pre>
 * Kafka requests ─▶ eval sets to per-class requests ─▶ decode/validate ─▶ expand ─▶ batch ─▶ sample ─▶ store ─▶ track ─▶ Kafka results (exactly once)
 *                        └─ dead letters (side output) ─▶ Kafka dead-letters (exactly once)
 * </pre>
 *
 * Operator uids are fixed so that checkpoints and savepoints stay restorable across versions.
 */
public final class VarflowJob {

    /** Operator uids (stable across releases: state is matched by them on restore). */
    static final String UID_SOURCE = "varflow-requests-source";
    static final String UID_EVAL_EXPAND = "varflow-eval-expand";
    static final String UID_VALIDATE = "varflow-validate";
    static final String UID_DEAD_LETTER_SINK = "varflow-dead-letters-sink";
    static final String UID_RESULTS_SINK = "varflow-results-sink";

    private VarflowJob() {}

    /** Adds the job's operators to {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobConfig config) {
        env.setParallelism(config.getPositiveInt(JobOptions.JOB_PARALLELISM));
        ModelCatalog catalog = ModelCatalogs.from(config);

        DataStream<RawRecord> raw =
                env.fromSource(KafkaConnectors.requests(config), WatermarkStrategy.noWatermarks(), "requests")
                        .uid(UID_SOURCE)
                        .name("Kafka requests");

        // Evaluation-set requests become one ordinary generation request per class (docs/evaluation.md).
        SingleOutputStreamOperator<RawRecord> expanded =
                raw.process(new EvalRequestExpander(catalog)).uid(UID_EVAL_EXPAND).name("expand eval sets");

        SingleOutputStreamOperator<ValidRequest> valid =
                expanded.process(new ValidateRequestFunction(new RequestValidator(catalog, RequestLimits.DEFAULTS)))
                        .uid(UID_VALIDATE)
                        .name("decode + validate");

        valid.getSideOutput(DeadLetters.TAG)
                .union(expanded.getSideOutput(DeadLetters.TAG))
                .sinkTo(KafkaConnectors.exactlyOnce(
                        config, config.require(JobOptions.TOPIC_DEAD_LETTERS), "dead-letters", new DeadLetterKey()))
                .uid(UID_DEAD_LETTER_SINK)
                .name("Kafka dead letters");

        GenerationStage.attach(valid, catalog, config);
    }

    /** Dead letters keyed by request id when one was read, so a request's history shares a partition. */
    static final class DeadLetterKey implements SerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(DeadLetter letter) {
            return letter.requestId() == null ? null : letter.requestId().getBytes(StandardCharsets.UTF_8);
        }
    }
}
