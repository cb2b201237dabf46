package io.varflow.operators.validate;

import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.metrics.VarflowMetrics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * First step after a source: a record longer than {@code maxBytes} goes to the {@link
 * DeadLetters#TAG} side output as {@link ErrorCode#MESSAGE_TOO_LARGE} without being parsed (a
 * multi-megabyte value must not reach a JSON parser); every other record passes unchanged.
 */
public final class RefuseOversizedRecords extends ProcessFunction<RawRecord, RawRecord> {

    private static final long serialVersionUID = 1L;

    private final int maxBytes;
    private transient Counter deadLetters;

    /**
     * @param maxBytes largest value passed on
     */
    public RefuseOversizedRecords(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters =
                VarflowMetrics.group(getRuntimeContext().getMetricGroup())
                        .counter(VarflowMetrics.DEAD_LETTERS);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<RawRecord> out) {
        if (record.value().length <= maxBytes) {
            out.collect(record);
            return;
        }
        deadLetters.inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        record,
                        ErrorCode.MESSAGE_TOO_LARGE,
                        reason(record.value().length),
                        null,
                        ctx.timerService().currentProcessingTime()));
    }

    /** The dead letter's reason for a value of {@code size} bytes. */
    String reason(int size) {
        return "message is " + size + " bytes; the limit is " + maxBytes + " (not parsed)";
    }
}
