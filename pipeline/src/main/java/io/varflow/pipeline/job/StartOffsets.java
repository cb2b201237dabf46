package io.varflow.pipeline.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the job's sources start when it starts without a checkpoint: the given offsets for the
 * partitions named in {@code kafka.start-offsets}, the consumer group's committed offsets (earliest
 * when it has none) for all others. The last resort to step over a message by hand; on restore from
 * a checkpoint the checkpointed offsets win.
 */
final class StartOffsets implements OffsetsInitializer {

    private static final long serialVersionUID = 1L;

    private final Map<TopicPartition, Long> given;
    private final OffsetsInitializer others =
            OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);

    StartOffsets(Map<TopicPartition, Long> given) {
        this.given = new HashMap<>(given);
    }

    /**
     * Parses {@code topic:partition=offset[,topic:partition=offset...]}; null or blank gives none.
     */
    static Map<TopicPartition, Long> parse(String key, String text) {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return offsets;
        }
        for (String entry : text.split(",")) {
            String e = entry.trim();
            int colon = e.lastIndexOf(':');
            int equals = e.indexOf('=', Math.max(colon, 0));
            try {
                if (colon < 1 || equals < colon + 2) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(e.substring(colon + 1, equals).trim());
                long offset = Long.parseLong(e.substring(equals + 1).trim());
                if (partition < 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                offsets.put(new TopicPartition(e.substring(0, colon).trim(), partition), offset);
            } catch (NumberFormatException bad) {
                throw new IllegalArgumentException(
                        key + ": expected topic:partition=offset[,...], got '" + e + "'");
            }
        }
        return offsets;
    }

    @Override
    public Map<TopicPartition, Long> getPartitionOffsets(
            Collection<TopicPartition> partitions, PartitionOffsetsRetriever retriever) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        List<TopicPartition> rest = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Long offset = given.get(partition);
            if (offset != null) {
                offsets.put(partition, offset);
            } else {
                rest.add(partition);
            }
        }
        if (!rest.isEmpty()) {
            offsets.putAll(others.getPartitionOffsets(rest, retriever));
        }
        return offsets;
    }

    @Override
    public OffsetResetStrategy getAutoOffsetResetStrategy() {
        return others.getAutoOffsetResetStrategy();
    }
}
