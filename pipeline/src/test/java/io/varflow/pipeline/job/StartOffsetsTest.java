package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StartOffsetsTest {

    @Test
    void givenPartitionsStartAtTheirOffsetAndTheOthersAtTheCommittedOnes() {
        Map<TopicPartition, Long> given =
                StartOffsets.parse("kafka.start-offsets", "varflow.requests:1=1043, a.b-c:0=0");
        assertThat(given)
                .containsExactly(
                        Map.entry(new TopicPartition("varflow.requests", 1), 1043L),
                        Map.entry(new TopicPartition("a.b-c", 0), 0L));
        assertThat(StartOffsets.parse("k", " ")).isEmpty();

        TopicPartition p0 = new TopicPartition("varflow.requests", 0);
        TopicPartition p1 = new TopicPartition("varflow.requests", 1);
        Map<TopicPartition, Long> offsets =
                new StartOffsets(given).getPartitionOffsets(List.of(p0, p1), null);
        assertThat(offsets)
                .containsEntry(p1, 1043L)
                .containsEntry(p0, KafkaPartitionSplit.COMMITTED_OFFSET);
    }

    @Test
    void malformedEntriesAreRefusedNamingTheSetting() {
        for (String bad :
                List.of("requests=5", "requests:x=5", "requests:0=-1", ":0=1", "requests:0")) {
            assertThatThrownBy(() -> StartOffsets.parse("kafka.start-offsets", bad))
                    .hasMessageStartingWith("kafka.start-offsets: expected topic:partition=offset");
        }
    }
}
