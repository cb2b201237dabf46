package io.varflow.operators.validate;

import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.OutputLimits;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Last step before the dead-letter sink: cuts each letter's copy of the original value and its
 * reason to the {@link OutputLimits}, so that no input can make a dead letter the producer refuses.
 */
public final class BoundDeadLetters implements MapFunction<DeadLetter, DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final OutputLimits limits;

    public BoundDeadLetters(OutputLimits limits) {
        this.limits = limits;
    }

    @Override
    public DeadLetter map(DeadLetter letter) {
        return letter.bounded(limits.maxOriginalBytes(), limits.maxReasonChars());
    }
}
