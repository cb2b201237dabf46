package io.varflow.operators.batch;

import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.operators.messages.Priority;

/** Test data: image tasks for the tiny model. */
final class Works {

    private Works() {}

    static ImageWork work(String requestId, int index, Priority priority, long enqueuedAt) {
        return work("tiny", requestId, index, priority, enqueuedAt);
    }

    /** A task of the tiny model that must reach the model by {@code deadline} (epoch ms). */
    static ImageWork due(
            String requestId, int index, Priority priority, long enqueuedAt, long deadline) {
        ImageWork w = work(requestId, index, priority, enqueuedAt);
        ImageWork.Schedule s = w.schedule();
        return new ImageWork(
                w.draw(),
                w.sampling(),
                w.output(),
                new ImageWork.Schedule(
                        s.priority(), s.routeKey(), s.receivedAt(), s.enqueuedAt(), deadline),
                null);
    }

    static ImageWork work(
            String model, String requestId, int index, Priority priority, long enqueuedAt) {
        return work(model, requestId, index, priority, enqueuedAt, model + "#0");
    }

    static ImageWork work(
            String model,
            String requestId,
            int index,
            Priority priority,
            long enqueuedAt,
            String routeKey) {
        return new ImageWork(
                new ImageWork.Draw(model, index % 10, TaskSeeds.forImage(7, index), 7),
                SamplingParams.FID,
                new ImageWork.Output(requestId, index, 100, "", true, true),
                new ImageWork.Schedule(priority, routeKey, 0L, enqueuedAt),
                null);
    }
}
