package io.varflow.operators.validate;

import io.varflow.operators.messages.DeadLetter;
import org.apache.flink.util.OutputTag;

/** The side output that carries refused requests. */
public final class DeadLetters {

    /** Side output of {@link ValidateRequestFunction}: one {@link DeadLetter} per refused record. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}
}
