package io.varflow.pipeline.job;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.varflow.operators.store.ObjectStoreConfig;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.KafkaClientSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What {@code varflow job} checks before it starts: the brokers answer, the four topics exist (and
 * the output topics accept records as large as the job may write), the bucket exists and takes a
 * write. With {@code job.create-missing} it creates missing topics ({@code kafka.topic-partitions},
 * {@code max.message.bytes} = {@code kafka.max-message-bytes}) and the bucket. Each problem is one
 * line naming what is wrong and what to do; an empty list means the job can start.
 */
public final class Preflight {

    private static final long TIMEOUT_S = 15;
    private static final String PROBE_OBJECT = ".varflow-preflight";

    private final JobConfig config;
    private final boolean createMissing;
    private final List<String> created = new ArrayList<>();

    private Preflight(JobConfig config) {
        this.config = config;
        this.createMissing = config.get(JobOptions.JOB_CREATE_MISSING);
    }

    /** Checks (and, when told to, creates) everything; returns the problems, one line each. */
    public static Result run(JobConfig config) {
        Preflight preflight = new Preflight(config);
        List<String> problems = new ArrayList<>();
        problems.addAll(preflight.checkKafka());
        problems.addAll(preflight.checkBucket());
        return new Result(problems, preflight.created);
    }

    /**
     * @param problems one line per thing that stops the job from starting
     * @param created one line per topic or bucket created
     */
    public record Result(List<String> problems, List<String> created) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private List<String> checkKafka() {
        String servers = config.require(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
        Properties props = KafkaClientSettings.connection(config);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(props)) {
            try {
                admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (Exception e) {
                problems.add("Kafka brokers " + servers + " are not reachable: " + cause(e));
                return problems;
            }
            Set<String> topics =
                    new LinkedHashSet<>(
                            List.of(
                                    config.require(JobOptions.TOPIC_REQUESTS),
                                    config.require(JobOptions.TOPIC_EDITS),
                                    config.require(JobOptions.TOPIC_RESULTS),
                                    config.require(JobOptions.TOPIC_DEAD_LETTERS)));
            List<String> missing = new ArrayList<>();
            Map<String, KafkaFuture<TopicDescription>> described =
                    admin.describeTopics(topics).topicNameValues();
            for (String topic : topics) {
                try {
                    described.get(topic).get(TIMEOUT_S, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        missing.add(topic);
                    } else {
                        problems.add("Kafka topic " + topic + " cannot be used: " + cause(e));
                    }
                } catch (Exception e) {
                    problems.add("Kafka topic " + topic + " cannot be used: " + cause(e));
                }
            }
            if (!missing.isEmpty()) {
                if (createMissing) {
                    problems.addAll(createTopics(admin, missing));
                } else {
                    missing.forEach(
                            t ->
                                    problems.add(
                                            "Kafka topic "
                                                    + t
                                                    + " does not exist on "
                                                    + servers
                                                    + ": create it, or start with --create-missing"));
                }
            }
            List<String> outputs =
                    new ArrayList<>(
                            List.of(
                                    config.require(JobOptions.TOPIC_RESULTS),
                                    config.require(JobOptions.TOPIC_DEAD_LETTERS)));
            outputs.removeAll(missing);
            problems.addAll(checkMessageSize(admin, outputs));
        }
        return problems;
    }

    private List<String> createTopics(Admin admin, Collection<String> names) {
        int partitions = config.get(JobOptions.KAFKA_TOPIC_PARTITIONS);
        String maxMessageBytes = Long.toString(config.get(JobOptions.KAFKA_MAX_MESSAGE_BYTES));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(
                    new NewTopic(name, Optional.of(partitions), Optional.empty())
                            .configs(Map.of("max.message.bytes", maxMessageBytes)));
        }
        List<String> problems = new ArrayList<>();
        admin.createTopics(topics)
                .values()
                .forEach(
                        (name, future) -> {
                            try {
                                future.get(TIMEOUT_S, TimeUnit.SECONDS);
                                created.add(
                                        "created Kafka topic "
                                                + name
                                                + " ("
                                                + partitions
                                                + " partitions, max.message.bytes "
                                                + maxMessageBytes
                                                + ")");
                            } catch (ExecutionException e) {
                                if (!(e.getCause() instanceof TopicExistsException)) {
                                    problems.add(
                                            "Kafka topic "
                                                    + name
                                                    + " could not be created: "
                                                    + cause(e));
                                }
                            } catch (Exception e) {
                                problems.add(
                                        "Kafka topic "
                                                + name
                                                + " could not be created: "
                                                + cause(e));
                            }
                        });
        return problems;
    }

    /**
     * An output topic that accepts less than the job may write would refuse records at run time.
     */
    private List<String> checkMessageSize(Admin admin, List<String> outputs) {
        List<String> problems = new ArrayList<>();
        if (outputs.isEmpty()) {
            return problems;
        }
        int needed = KafkaConnectors.maxRecordBytes(config);
        Map<ConfigResource, KafkaFuture<Config>> configs =
                admin.describeConfigs(
                                outputs.stream()
                                        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                                        .toList())
                        .values();
        configs.forEach(
                (resource, future) -> {
                    try {
                        var entry =
                                future.get(TIMEOUT_S, TimeUnit.SECONDS).get("max.message.bytes");
                        if (entry != null
                                && entry.value() != null
                                && Long.parseLong(entry.value()) < needed) {
                            problems.add(
                                    "Kafka topic "
                                            + resource.name()
                                            + " accepts records up to "
                                            + entry.value()
                                            + " bytes (max.message.bytes) but the job may write up to "
                                            + needed
                                            + " (kafka.max-message-bytes, kafka.max-request-size): raise the topic's limit or lower"
                                            + " the job's");
                        }
                    } catch (Exception e) {
                        // Describing configs needs a permission the job otherwise does not; the
                        // sizes stay unchecked.
                    }
                });
        return problems;
    }

    private List<String> checkBucket() {
        ObjectStoreConfig store = GeneratorFactories.objectStore(config);
        String where = "bucket " + store.bucket() + " at " + store.endpoint();
        List<String> problems = new ArrayList<>();
        try (MinioClient client = store.syncClient()) {
            boolean exists;
            try {
                exists =
                        client.bucketExists(
                                BucketExistsArgs.builder().bucket(store.bucket()).build());
            } catch (Exception e) {
                problems.add(
                        "Object store "
                                + store.endpoint()
                                + " is not reachable or refuses the credentials: "
                                + cause(e));
                return problems;
            }
            if (!exists) {
                if (!createMissing) {
                    problems.add(
                            "The "
                                    + where
                                    + " does not exist: create it, or start with --create-missing");
                    return problems;
                }
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(store.bucket()).build());
                    created.add("created " + where);
                } catch (Exception e) {
                    problems.add("The " + where + " could not be created: " + cause(e));
                    return problems;
                }
            }
            String key =
                    store.basePrefix().isEmpty()
                            ? PROBE_OBJECT
                            : store.basePrefix() + "/" + PROBE_OBJECT;
            try {
                byte[] probe =
                        "varflow start-up check"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                client.putObject(
                        PutObjectArgs.builder().bucket(store.bucket()).object(key).stream(
                                        new java.io.ByteArrayInputStream(probe),
                                        (long) probe.length,
                                        -1L)
                                .build());
                client.removeObject(
                        RemoveObjectArgs.builder().bucket(store.bucket()).object(key).build());
            } catch (Exception e) {
                problems.add(
                        "The " + where + " does not take writes (tried " + key + "): " + cause(e));
            }
        } catch (Exception e) {
            problems.add("Object store " + store.endpoint() + " could not be checked: " + cause(e));
        }
        return problems;
    }

    private static String cause(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t.getCause() != null && t.getMessage() == null)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replace('\n', ' ').strip();
    }
}
