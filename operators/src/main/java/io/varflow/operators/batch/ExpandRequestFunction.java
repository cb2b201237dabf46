package io.varflow.operators.batch;

import io.varflow.model.TaskSeeds;
import io.varflow.operators.validate.ValidRequest;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Expands a validated request into one {@link ImageWork} per image, with the image's own seed
 * ({@link TaskSeeds#forImage}) and its route key ({@link SubtaskRouting}).
 */
public final class ExpandRequestFunction extends ProcessFunction<ValidRequest, ImageWork> {

    private static final long serialVersionUID = 1L;

    private final SubtaskRouting routing;

    public ExpandRequestFunction(SubtaskRouting routing) {
        this.routing = routing;
    }

    @Override
    public void processElement(ValidRequest request, Context ctx, Collector<ImageWork> out) {
        long now = ctx.timerService().currentProcessingTime();
        int[] labels = request.labels();
        String id = request.requestId();
        for (int i = 0; i < labels.length; i++) {
            out.collect(
                    new ImageWork(
                            new ImageWork.Draw(
                                    request.model(),
                                    labels[i],
                                    TaskSeeds.forImage(request.seed(), i),
                                    request.seed()),
                            request.sampling(),
                            new ImageWork.Output(
                                    id,
                                    i,
                                    labels.length,
                                    request.outputPrefix(),
                                    request.storeImages(),
                                    request.storeTokenMaps()),
                            new ImageWork.Schedule(
                                    request.priority(),
                                    routing.routeKey(request.model(), id, i),
                                    request.receivedAt(),
                                    now,
                                    request.deadline()),
                            null));
        }
    }
}
