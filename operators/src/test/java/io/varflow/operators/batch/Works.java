package io.varflow.operators.batch;

import io.varflow.model.TaskSeeds;
import io.varflow.operators.messages.Priority;

/** Test data: image tasks for the tiny model. */
final class Works {

    private Works() {}

    static ImageWork work(String requestId, int index, Priority priority, long enqueuedAt) {
        return work("tiny", requestId, index, priority, enqueuedAt);
    }

    static ImageWork work(String model, String requestId, int index, Priority priority, long enqueuedAt) {
        return new ImageWork(requestId, index, 100, model, index % 10, TaskSeeds.forImage(7, index), 7, 1.5, 900,
                0.96, false, priority, true, true, "", 0L, enqueuedAt, model + "#0");
    }
}
