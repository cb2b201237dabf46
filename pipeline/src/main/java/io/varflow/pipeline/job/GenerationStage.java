package io.varflow.pipeline.job;

import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.batch.ExpandRequestFunction;
import io.varflow.operators.batch.GpuBatcher;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.SubtaskRouting;
import io.varflow.operators.batch.TaskBatch;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.validate.ValidRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Valid requests to ResultEvents: expand, batch, sample, store, track, Kafka results sink. */
final class GenerationStage {

    static final String UID_EXPAND = "varflow-expand";
    static final String UID_BATCH = "varflow-batch";

    /** Key groups of the keyed operators; fixed so a job can be rescaled up to this parallelism from a checkpoint. */
    static final int MAX_PARALLELISM = 128;

    private GenerationStage() {}

    static void attach(DataStream<ValidRequest> valid, ModelCatalog catalog, JobConfig config) {
        int parallelism = config.getPositiveInt(JobOptions.JOB_PARALLELISM);
        SubtaskRouting routing = new SubtaskRouting(parallelism, MAX_PARALLELISM);
        BatchingOptions batching = new BatchingOptions(
                config.getDuration(JobOptions.BATCH_MAX_WAIT).toMillis(), BatchingOptions.DEFAULTS.priorityLookahead());

        DataStream<ImageWork> images =
                valid.process(new ExpandRequestFunction(routing)).uid(UID_EXPAND).name("expand");

        DataStream<TaskBatch> batches = images.keyBy(ImageWork::routeKey, Types.STRING)
                .process(new GpuBatcher(catalog, batching))
                .setParallelism(parallelism)
                .setMaxParallelism(MAX_PARALLELISM)
                .uid(UID_BATCH)
                .name("batch");
    }
}
