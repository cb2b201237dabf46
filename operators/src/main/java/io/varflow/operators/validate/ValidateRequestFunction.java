package io.varflow.operators.validate;

import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.metrics.VarflowMetrics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and validates raw request records. Valid ones go downstream as {@link ValidRequest};
 * every other record goes to the {@link DeadLetters#TAG} side output with its bytes, coordinates,
 * code and reason. Never throws for a bad record, so the job keeps running.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ValidRequest> valid = raw.process(new ValidateRequestFunction(validator));
 * DataStream<DeadLetter> deadLetters = valid.getSideOutput(DeadLetters.TAG);
 * }</pre>
 *
 * Metrics: {@code varflow.deadLetters} (counter), {@code varflow.requestsAccepted} (counter).
 */
public final class ValidateRequestFunction extends ProcessFunction<RawRecord, ValidRequest> {

    private static final long serialVersionUID = 1L;

    private final RequestValidator validator;
    private transient Counter deadLetters;
    private transient Counter accepted;

    public ValidateRequestFunction(RequestValidator validator) {
        this.validator = validator;
    }

    @Override
    public void open(OpenContext openContext) {
        var group = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        deadLetters = group.counter(VarflowMetrics.DEAD_LETTERS);
        accepted = group.counter(VarflowMetrics.REQUESTS_ACCEPTED);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ValidRequest> out) {
        long now = ctx.timerService().currentProcessingTime();
        Verdict<ValidRequest> verdict =
                validator.validate(record.value(), record.coordinates(), now);
        if (verdict.isAccepted()) {
            accepted.inc();
            out.collect(verdict.accepted());
            return;
        }
        deadLetters.inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        record, verdict.errorCode(), verdict.reason(), verdict.requestId(), now));
    }
}
