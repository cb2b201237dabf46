package io.varflow.operators.validate;

import io.varflow.operators.metrics.VarflowMetrics;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Makes requestId an idempotency key before any GPU work: keyed by requestId, it passes the first
 * request with an id and drops the same id for {@code ttl} afterwards (the first one's ResultEvent
 * answers both). The "seen" flag is checkpointed keyed state with a TTL, so a replay after a
 * restore (which rolls the flag back too) is not mistaken for a repeat. To retry a failed request,
 * send it under a new requestId.
 *
 * <p>Metrics: {@code repeatedRequests} (counter).
 */
public final class DropRepeatedRequests
        extends KeyedProcessFunction<String, ValidRequest, ValidRequest> {

    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<Boolean> seen;
    private transient Counter repeated;

    public DropRepeatedRequests(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> descriptor =
                new ValueStateDescriptor<>("seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        seen = getRuntimeContext().getState(descriptor);
        repeated =
                VarflowMetrics.group(getRuntimeContext().getMetricGroup())
                        .counter(VarflowMetrics.REPEATED_REQUESTS);
    }

    @Override
    public void processElement(ValidRequest request, Context ctx, Collector<ValidRequest> out)
            throws Exception {
        if (Boolean.TRUE.equals(seen.value())) {
            repeated.inc();
            return;
        }
        seen.update(true);
        out.collect(request);
    }
}
