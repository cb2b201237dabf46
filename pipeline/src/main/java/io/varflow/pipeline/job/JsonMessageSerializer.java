package io.varflow.pipeline.job;

import io.varflow.operators.messages.Messages;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * A message record as its JSON bytes, with varflow's one codec ({@link Messages}). It names its
 * record type, which the Kafka sink's lineage reads (it cannot infer {@code T} from the class).
 */
final class JsonMessageSerializer<T> implements SerializationSchema<T>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    JsonMessageSerializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public byte[] serialize(T message) {
        return Messages.toBytes(message);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
