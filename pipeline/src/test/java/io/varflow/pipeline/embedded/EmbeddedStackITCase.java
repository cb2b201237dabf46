package io.varflow.pipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.varflow.pipeline.config.JobOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded stack starts real servers that real clients can use, and stops them. */
@Timeout(180)
class EmbeddedStackITCase {

    @TempDir Path work;

    @Test
    void brokerAndObjectStoreServeRealClientsAndStopOnClose() throws Exception {
        EmbeddedKafka kafka;
        try (EmbeddedStack stack = EmbeddedStack.start(work)) {
            kafka = stack.kafka();
            String bootstrap = stack.jobConfig().get(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
            try (Admin admin = Admin.create(EmbeddedKafka.adminConfig(bootstrap))) {
                assertThat(admin.listTopics().names().get())
                        .as("the stack creates the four varflow topics")
                        .contains(
                                "varflow.requests",
                                "varflow.edits",
                                "varflow.results",
                                "varflow.dead-letters");
                assertThat(
                                admin.describeTopics(List.of("varflow.requests"))
                                        .allTopicNames()
                                        .get()
                                        .get("varflow.requests")
                                        .partitions())
                        .hasSize(EmbeddedStack.REQUEST_PARTITIONS);
            }

            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(
                            Map.of("bootstrap.servers", bootstrap),
                            new StringSerializer(),
                            new StringSerializer())) {
                producer.send(new ProducerRecord<>("varflow.results", "k", "hello")).get();
            }
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(
                            Map.of("bootstrap.servers", bootstrap),
                            new StringDeserializer(),
                            new StringDeserializer())) {
                TopicPartition tp = new TopicPartition("varflow.results", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(20));
                assertThat(records.records(tp)).extracting(r -> r.value()).containsExactly("hello");
            }

            MinioClient s3 =
                    MinioClient.builder()
                            .endpoint(stack.jobConfig().get(JobOptions.S3_ENDPOINT))
                            .region("us-east-1")
                            .credentials(
                                    stack.jobConfig().get(JobOptions.S3_ACCESS_KEY),
                                    stack.jobConfig().get(JobOptions.S3_SECRET_KEY))
                            .build();
            byte[] body = "pixels".getBytes(StandardCharsets.UTF_8);
            s3.putObject(
                    PutObjectArgs.builder().bucket("varflow").object("a/b.txt").stream(
                                    new ByteArrayInputStream(body), (long) body.length, -1L)
                            .build());
            try (var in =
                    s3.getObject(
                            GetObjectArgs.builder().bucket("varflow").object("a/b.txt").build())) {
                assertThat(in.readAllBytes()).isEqualTo(body);
            }
            assertThat(stack.bucketDir().resolve("a/b.txt"))
                    .as("objects are plain files on disk")
                    .exists();
            assertThat(stack.jobConfig().toString())
                    .doesNotContain(stack.jobConfig().get(JobOptions.S3_SECRET_KEY));
        }
        assertThat(kafka.isAlive()).as("closing the stack stops the broker process").isFalse();
        assertThat(Files.exists(work.resolve("kafka/broker.log"))).isTrue();
    }
}
