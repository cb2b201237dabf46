package io.varflow.operators.edit;

import io.varflow.model.TaskSeeds;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.batch.SubtaskRouting;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.messages.Priority;
import io.varflow.operators.metrics.VarflowMetrics;
import io.varflow.operators.store.ObjectStoreConfig;
import io.varflow.operators.validate.Verdict;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns edit records into images for the batcher: validates each record, fetches its source and
 * mask from the object store ({@link EditValidator}), and emits one {@link ImageWork} per variant
 * at {@link Priority#INTERACTIVE} priority, routed like generation images so both share batches.
 * Refused records go to the {@link DeadLetters#TAG} side output with their bytes and reason.
 *
 * <p>Fetching blocks this subtask's thread (one GET per source and mask object); edits are
 * interactive and few, and their objects small, so this stays off the GPU operator's thread.
 */
public final class ResolveEditFunction extends ProcessFunction<RawRecord, ImageWork> {

    private static final long serialVersionUID = 1L;

    private final EditValidator validator;
    private final SubtaskRouting routing;
    private final ObjectStoreConfig store;
    private transient S3SourceFetcher fetcher;
    private transient Counter deadLetters;
    private transient Counter accepted;

    public ResolveEditFunction(
            EditValidator validator, SubtaskRouting routing, ObjectStoreConfig store) {
        this.validator = validator;
        this.routing = routing;
        this.store = store;
    }

    @Override
    public void open(OpenContext openContext) {
        fetcher = new S3SourceFetcher(store);
        var group = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        deadLetters = group.counter(VarflowMetrics.DEAD_LETTERS);
        accepted = group.counter("editsAccepted");
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ImageWork> out) {
        long now = ctx.timerService().currentProcessingTime();
        Verdict<AcceptedEdit> verdict =
                validator.validate(record.value(), record.coordinates(), now, fetcher);
        if (!verdict.isAccepted()) {
            deadLetters.inc();
            // The whole value goes on: BoundDeadLetters cuts every dead letter to the configured
            // limits.
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetters.of(
                            record,
                            verdict.errorCode(),
                            verdict.reason(),
                            verdict.requestId(),
                            now));
            return;
        }
        accepted.inc();
        AcceptedEdit edit = verdict.accepted();
        for (int i = 0; i < edit.count(); i++) {
            out.collect(
                    new ImageWork(
                            new ImageWork.Draw(
                                    edit.model(),
                                    edit.label(),
                                    TaskSeeds.forImage(edit.seed(), i),
                                    edit.seed()),
                            edit.sampling(),
                            new ImageWork.Output(
                                    edit.requestId(),
                                    i,
                                    edit.count(),
                                    edit.outputPrefix(),
                                    edit.storeImages(),
                                    edit.storeTokenMaps()),
                            new ImageWork.Schedule(
                                    Priority.INTERACTIVE,
                                    routing.routeKey(edit.model(), edit.requestId(), i),
                                    edit.receivedAt(),
                                    now,
                                    edit.deadline()),
                            edit.edit()));
        }
    }

    @Override
    public void close() throws Exception {
        if (fetcher != null) {
            fetcher.close();
            fetcher = null;
        }
    }
}
