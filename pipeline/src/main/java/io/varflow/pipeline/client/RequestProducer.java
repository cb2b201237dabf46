package io.varflow.pipeline.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes raw request messages to the requests topic, byte for byte as given (invalid ones too: the
 * job dead-letters them), keyed by their {@code requestId} when one can be read, and returns where
 * each landed. Idempotent producer, {@code acks=all}.
 */
public final class RequestProducer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    /**
     * @param connection Kafka connection and security properties
     */
    public RequestProducer(Properties connection, String topic) {
        Properties p = new Properties();
        p.putAll(connection);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "varflow-submit");
        this.producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Sends every message and waits (at most 60 s) until all are acknowledged. */
    public List<SubmittedRequest> send(List<String> messages) {
        List<Future<RecordMetadata>> pending = new ArrayList<>(messages.size());
        List<String> ids = new ArrayList<>(messages.size());
        for (String message : messages) {
            String id = requestIdOf(message);
            ids.add(id);
            byte[] key = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
            pending.add(
                    producer.send(
                            new ProducerRecord<>(
                                    topic, key, message.getBytes(StandardCharsets.UTF_8))));
        }
        producer.flush();
        List<SubmittedRequest> submitted = new ArrayList<>(messages.size());
        for (int i = 0; i < pending.size(); i++) {
            try {
                RecordMetadata m = pending.get(i).get(60, TimeUnit.SECONDS);
                submitted.add(
                        new SubmittedRequest(
                                i + 1, ids.get(i), m.topic(), m.partition(), m.offset()));
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "Kafka refused message " + (i + 1) + ": " + e.getCause().getMessage(),
                        e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "Kafka did not acknowledge message " + (i + 1) + " within 60 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending", e);
            }
        }
        return submitted;
    }

    /** The string {@code requestId} of a JSON object message, or null when there is none. */
    static String requestIdOf(String message) {
        try {
            JsonNode node = JSON.readTree(message);
            JsonNode id = node == null ? null : node.get("requestId");
            return id != null && id.isTextual() ? id.asText() : null;
        } catch (Exception notJson) {
            return null;
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
