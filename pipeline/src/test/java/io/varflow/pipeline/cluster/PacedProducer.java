package io.varflow.pipeline.cluster;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends {@code count} records at a steady rate from a background thread, like clients submitting work
 * over time, so that a failure injected meanwhile lands in the middle of the stream.
 */
final class PacedProducer implements AutoCloseable {

    private final Thread thread;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final int count;

    private PacedProducer(String bootstrapServers, String topic, int count, int perSecond,
            IntFunction<byte[]> value) {
        this.count = count;
        this.thread = new Thread(() -> run(bootstrapServers, topic, perSecond, value), "paced-producer");
        thread.setDaemon(true);
    }

    static PacedProducer start(String bootstrapServers, String topic, int count, int perSecond,
            IntFunction<byte[]> value) {
        PacedProducer producer = new PacedProducer(bootstrapServers, topic, count, perSecond, value);
        producer.thread.start();
        return producer;
    }

    private void run(String bootstrapServers, String topic, int perSecond, IntFunction<byte[]> value) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        long pauseNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int id = 0; id < count && !Thread.currentThread().isInterrupted(); id++) {
                producer.send(new ProducerRecord<>(topic, value.apply(id))).get(30, TimeUnit.SECONDS);
                sent.incrementAndGet();
                TimeUnit.NANOSECONDS.sleep(pauseNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.set(e);
        }
    }

    int sent() {
        return sent.get();
    }

    void awaitAllSent(Duration timeout) throws Exception {
        thread.join(timeout.toMillis());
        if (failure.get() != null) {
            throw failure.get();
        }
        if (sent.get() != count) {
            throw new IllegalStateException("sent " + sent.get() + " of " + count + " within " + timeout);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
