package io.varflow.pipeline.job;

import io.varflow.operators.messages.Messages;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** A message record as its JSON bytes, with varflow's one codec ({@link Messages}). */
final class JsonMessageSerializer<T> implements SerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(T message) {
        return Messages.toBytes(message);
    }
}
