package io.varflow.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.operators.sample.GeneratorFactory;
import io.varflow.pipeline.client.OutcomeReader;
import io.varflow.pipeline.client.RequestProducer;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import io.varflow.pipeline.job.JobRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The job as the benchmarks drive it: running in a MiniCluster in this JVM against an embedded
 * stack, with a producer of generation requests and a {@code read_committed} reader of its
 * outcomes.
 */
final class BenchJob implements AutoCloseable {

    final OutcomeReader outcomes;
    final RequestProducer requests;
    final JobRunner.LocalJob job;

    BenchJob(JobConfig config, GeneratorFactory generators) throws Exception {
        Properties kafka = KafkaClientSettings.connection(config);
        this.outcomes =
                new OutcomeReader(
                        kafka,
                        config.get(JobOptions.TOPIC_RESULTS),
                        config.get(JobOptions.TOPIC_DEAD_LETTERS),
                        false);
        this.requests = new RequestProducer(kafka, config.get(JobOptions.TOPIC_REQUESTS));
        this.job = JobRunner.startLocal(config, generators);
        job.awaitRunning(Duration.ofSeconds(120));
    }

    /**
     * The ResultEvent of each request, in order; a benchmark whose requests did not all succeed
     * measured nothing.
     */
    List<JsonNode> succeeded(List<SubmittedRequest> sent) {
        List<JsonNode> events = new ArrayList<>(sent.size());
        for (SubmittedRequest s : sent) {
            List<JsonNode> results = outcomes.results().get(s.requestId());
            if (results == null || !"succeeded".equals(results.get(0).path("status").asText())) {
                throw new IllegalStateException(
                        "request "
                                + s.requestId()
                                + " did not succeed: "
                                + (results != null
                                        ? results.get(0)
                                        : outcomes.deadLetters().get(s.coordinates())));
            }
            events.add(results.get(0));
        }
        return events;
    }

    @Override
    public void close() throws Exception {
        try (outcomes;
                requests;
                job) {
            // closes all three, job first
        }
    }
}
