package io.varflow.pipeline.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller in one) in a child JVM, on loopback ports,
 * through Kafka's public entry points ({@code kafka.tools.StorageTool}, {@code kafka.Kafka}).
 */
final class ChildKafkaBroker implements AutoCloseable {

    private final ChildJvm process;
    private final String bootstrapServers;

    private ChildKafkaBroker(ChildJvm process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    static ChildKafkaBroker start(Path dir, Duration timeout) throws Exception {
        int brokerPort = FreePorts.next();
        int controllerPort = FreePorts.next();
        Files.createDirectories(dir);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        List<String> heap = List.of("-Xms64m", "-Xmx384m");
        try (ChildJvm format = ChildJvm.start("kafka-format", heap, "kafka.tools.StorageTool",
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()),
                dir.resolve("format.log"))) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (format.isAlive() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            if (format.isAlive()) {
                throw new IllegalStateException("Kafka storage format did not finish:\n" + format.logTail(30));
            }
        }
        ChildJvm broker = ChildJvm.start("kafka", heap, "kafka.Kafka", List.of(properties.toString()),
                dir.resolve("kafka.log"));
        ChildKafkaBroker kafka = new ChildKafkaBroker(broker, "127.0.0.1:" + brokerPort);
        try {
            kafka.awaitReady(timeout);
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
        return kafka;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited:\n" + process.logTail(40));
            }
            try (Admin admin = Admin.create(adminConfig())) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("Kafka not ready within " + timeout + ":\n" + process.logTail(40), last);
    }

    Map<String, Object> adminConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
