package io.varflow.pipeline.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the results and dead-letter topics with {@code isolation.level=read_committed}, so it sees
 * exactly what the job's exactly-once sinks committed. Keeps every ResultEvent by request id (a
 * list, so duplicates would show) and every dead letter by the coordinates of the message it
 * refused. Not thread-safe.
 */
public final class OutcomeReader implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String resultsTopic;
    private final Map<String, List<JsonNode>> results = new LinkedHashMap<>();
    private final Map<String, JsonNode> deadLetters = new LinkedHashMap<>();
    private final List<String> unreadable = new ArrayList<>();

    /**
     * @param fromBeginning read the topics from their start; false starts at their current end, so
     *     only events written after this call count
     */
    private int deadLettersRead;

    public OutcomeReader(
            Properties connection,
            String resultsTopic,
            String deadLetterTopic,
            boolean fromBeginning) {
        Properties p = new Properties();
        p.putAll(connection);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "varflow-outcomes-" + UUID.randomUUID());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "varflow-outcomes");
        this.consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.resultsTopic = resultsTopic;
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(resultsTopic, deadLetterTopic)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(
                    consumer::position); // fixes the start now, before anything is submitted
        }
    }

    /** Reads what is available within {@code timeout}; returns how many events arrived. */
    public int poll(Duration timeout) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            n++;
            JsonNode event;
            try {
                event = JSON.readTree(record.value());
            } catch (Exception e) {
                unreadable.add(record.topic() + "/" + record.partition() + "@" + record.offset());
                continue;
            }
            if (record.topic().equals(resultsTopic)) {
                String id = event.path("requestId").asText(null);
                results.computeIfAbsent(id, k -> new ArrayList<>()).add(event);
            } else {
                JsonNode source = event.path("source");
                String coordinates =
                        source.path("topic").asText()
                                + "/"
                                + source.path("partition").asInt()
                                + "@"
                                + source.path("offset").asLong();
                deadLetters.put(coordinates, event);
                deadLettersRead++;
            }
        }
        return n;
    }

    /**
     * Polls until every submitted message has a ResultEvent (by request id) or a dead letter (by
     * coordinates), or until {@code timeout} passes.
     *
     * @return the messages still unaccounted for (empty when all are)
     */
    public List<SubmittedRequest> awaitAll(List<SubmittedRequest> submitted, Duration timeout) {
        return awaitAll(submitted, timeout, null);
    }

    /**
     * {@link #awaitAll(List, Duration)}, reporting the answered and image counts to {@code
     * progress} as they grow.
     */
    public List<SubmittedRequest> awaitAll(
            List<SubmittedRequest> submitted, Duration timeout, RunProgress progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<SubmittedRequest> missing = unaccounted(submitted);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(500));
            missing = unaccounted(submitted);
            if (progress != null) {
                progress.observe(
                        submitted.size() - missing.size(), imagesSoFar(), System.nanoTime());
            }
        }
        return missing;
    }

    private int imagesSoFar() {
        int images = 0;
        for (List<JsonNode> events : results.values()) {
            images += events.get(0).path("images").size();
        }
        return images;
    }

    public List<SubmittedRequest> unaccounted(List<SubmittedRequest> submitted) {
        List<SubmittedRequest> missing = new ArrayList<>();
        for (SubmittedRequest s : submitted) {
            boolean answered = s.requestId() != null && results.containsKey(s.requestId());
            if (!answered && !deadLetters.containsKey(s.coordinates())) {
                missing.add(s);
            }
        }
        return missing;
    }

    /**
     * How many dead letters were read, repeats included (a repeat replaces its coordinates' entry).
     */
    public int deadLettersRead() {
        return deadLettersRead;
    }

    /** Every ResultEvent read so far, by request id, in arrival order. */
    public Map<String, List<JsonNode>> results() {
        return results;
    }

    /** Every dead letter read so far, by the refused message's {@code topic/partition@offset}. */
    public Map<String, JsonNode> deadLetters() {
        return deadLetters;
    }

    /** Events that were not JSON (coordinates); the job never writes such. */
    public List<String> unreadable() {
        return unreadable;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
