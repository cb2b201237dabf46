package io.varflow.pipeline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The kill/recovery mechanics of {@link MultiProcessFlinkCluster} on a small stateful exactly-once job:
 * a TaskManager JVM is killed mid-stream, a replacement joins, and the committed output has every
 * record exactly once with keyed state carried over from the checkpoint.
 */
class TaskManagerFailoverITCase {

    private static final int RECORDS = 300;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void killedTaskManagerIsReplacedAndNothingIsLostOrDoubled() throws Exception {
        Path dir = ClusterTestDirs.create("failover");
        try (ChildKafkaBroker kafka = ChildKafkaBroker.start(dir.resolve("kafka"), TIMEOUT);
                MultiProcessFlinkCluster cluster =
                        MultiProcessFlinkCluster.start(dir.resolve("flink"), 2, 1, Map.of(), TIMEOUT)) {
            KafkaTopics.create(kafka.bootstrapServers(), 2, "in", "out");
            JobID job = cluster.submit(CountingTestJob.build(kafka.bootstrapServers(), "in", "out", 2, 20));
            cluster.awaitAllTasksRunning(job, TIMEOUT);
            assertThat(Set.copyOf(cluster.taskManagersRunning(job, CountingTestJob.COUNTING_VERTEX)))
                    .as("the counting operator runs on both TaskManagers").hasSize(2);

            // Input keeps arriving (~10 s in all) while a TaskManager dies, after a checkpoint completed.
            try (PacedProducer input = PacedProducer.start(kafka.bootstrapServers(), "in", RECORDS, 30,
                    id -> CountingTestJob.input("k" + (id % 7), id))) {
                cluster.await(() -> input.sent() >= RECORDS / 3, TIMEOUT, "a third of the input");
                long checkpoints = cluster.completedCheckpoints(job);
                cluster.await(() -> completedCheckpoints(cluster, job) > checkpoints, TIMEOUT, "a checkpoint");
                assertThat(input.sent()).as("the kill comes mid-stream").isLessThan(RECORDS);
                cluster.liveTaskManagers().get(0).kill();
                cluster.startTaskManager();
                input.awaitAllSent(TIMEOUT);
            }

            List<ConsumerRecord<byte[], byte[]>> out = KafkaTopics.readCommitted(kafka.bootstrapServers(), "out",
                    r -> ids(r).size() >= RECORDS, TIMEOUT, Duration.ofSeconds(3));

            assertThat(cluster.failures(job)).as("the job recovered from the lost TaskManager").isNotEmpty();
            List<String[]> rows = out.stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8).split(","))
                    .toList();
            assertThat(ids(out)).as("every input id appears").hasSize(RECORDS);
            assertThat(rows).as("and appears exactly once").hasSize(RECORDS);
            Map<String, List<Long>> countsPerKey = rows.stream().collect(Collectors.groupingBy(
                    row -> row[1], Collectors.mapping(row -> Long.parseLong(row[2]), Collectors.toList())));
            countsPerKey.forEach((key, counts) -> assertThat(new TreeSet<>(counts))
                    .as("keyed state of %s survived the failure", key)
                    .hasSize(counts.size())
                    .first().isEqualTo(1L));
            countsPerKey.forEach((key, counts) -> assertThat(counts.stream().mapToLong(Long::longValue).max()
                    .orElseThrow()).isEqualTo(counts.size()));
            cluster.client().cancel(job).get();
        }
    }

    private static Set<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8).split(",")[0])
                .collect(Collectors.toSet());
    }

    private static long completedCheckpoints(MultiProcessFlinkCluster cluster, JobID job) {
        try {
            return cluster.completedCheckpoints(job);
        } catch (Exception e) {
            return -1;
        }
    }
}
