package io.varflow.pipeline.job;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.embedded.EmbeddedStack;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Gives a test its own topics, consumer group and transactional ids on a shared embedded stack. */
final class IsolatedTopics {

    private IsolatedTopics() {}

    static JobConfig on(EmbeddedStack stack, String name) {
        JobConfig config =
                stack.jobConfig()
                        .with(JobOptions.TOPIC_REQUESTS, name + ".requests")
                        .with(JobOptions.TOPIC_RESULTS, name + ".results")
                        .with(JobOptions.TOPIC_DEAD_LETTERS, name + ".dead-letters")
                        .with(JobOptions.KAFKA_GROUP_ID, name + "-job")
                        .with(JobOptions.KAFKA_TRANSACTIONAL_ID_PREFIX, name)
                        .with(JobOptions.JOB_CHECKPOINT_INTERVAL, Duration.ofSeconds(1))
                        .with(
                                JobOptions.JOB_CHECKPOINT_DIR,
                                stack.workDir().resolve("checkpoints-" + name).toUri().toString());
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(config.get(JobOptions.TOPIC_REQUESTS), 2);
        topics.put(config.get(JobOptions.TOPIC_RESULTS), 1);
        topics.put(config.get(JobOptions.TOPIC_DEAD_LETTERS), 1);
        stack.kafka().createTopics(topics);
        return config;
    }
}
