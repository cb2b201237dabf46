package io.varflow.pipeline.cluster;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.Collector;

/**
 * A small stateful Kafka-to-Kafka job with exactly-once delivery: for input {@code key,id} it emits
 * {@code id,key,n} where {@code n} counts the key's records in keyed state. After a failure, a lost
 * record shows as a missing id, a replayed one as a duplicate id, and lost state as a repeated count.
 */
final class CountingTestJob {

    static final String COUNTING_VERTEX = "count-per-key";

    private CountingTestJob() {}

    static StreamGraph build(String bootstrapServers, String inTopic, String outTopic, int parallelism,
            long millisPerRecord) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(500, CheckpointingMode.EXACTLY_ONCE);
        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(inTopic)
                .setGroupId("counting-test-job")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        KafkaSink<String> sink = KafkaSink.<String>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(outTopic)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("counting-test-job")
                .setProperty("transaction.timeout.ms", "60000")
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "requests")
                .keyBy(line -> line.substring(0, line.indexOf(',')), Types.STRING)
                .process(new CountPerKey(millisPerRecord))
                .name(COUNTING_VERTEX)
                .sinkTo(sink)
                .name("results");
        return env.getStreamGraph();
    }

    static byte[] input(String key, int id) {
        return (key + "," + id).getBytes(StandardCharsets.UTF_8);
    }

    /** Counts records per key in keyed state; sleeps per record so that a failure lands mid-stream. */
    static final class CountPerKey extends KeyedProcessFunction<String, String, String> {
        private final long millisPerRecord;
        private transient ValueState<Long> count;

        CountPerKey(long millisPerRecord) {
            this.millisPerRecord = millisPerRecord;
        }

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(String line, Context ctx, Collector<String> out) throws Exception {
            Thread.sleep(millisPerRecord);
            long n = count.value() == null ? 1 : count.value() + 1;
            count.update(n);
            String id = line.substring(line.indexOf(',') + 1);
            out.collect(id + "," + ctx.getCurrentKey() + "," + n);
        }
    }
}
