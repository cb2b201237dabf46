package io.varflow.operators.batch;

import io.varflow.model.ImageTask;
import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.edit.EditWork;
import io.varflow.operators.messages.Priority;

/**
 * One image of a request: the stream element between the expander, the batcher (which keeps it in
 * keyed state) and the sampler. Made of what to draw, how to sample it, where it goes, how it is
 * scheduled and, for a zero-shot edit, the edit. Every part is a public record of basic fields, so
 * state and network use Flink's PojoSerializer (no Kryo), which supports schema evolution.
 *
 * @param draw what to draw: model, class label and seeds
 * @param sampling how its tokens are drawn (the model's {@link SamplingParams}, resolved at
 *     validation)
 * @param output where it goes: its slot in the request and the objects to store
 * @param schedule its priority, batcher key and timestamps
 * @param edit the edit when this image is a zero-shot edit, null for plain generation
 */
public record ImageWork(
        Draw draw, SamplingParams sampling, Output output, Schedule schedule, EditWork edit) {

    /**
     * What to draw.
     *
     * @param model model name
     * @param label class label
     * @param seed the image's own seed, {@link TaskSeeds#forImage(long, int)} of the request seed
     * @param requestSeed the request's seed (kept for the token map's metadata)
     */
    public record Draw(String model, int label, long seed, long requestSeed) {}

    /**
     * Where the image goes: image {@code index} of the {@code count} of request {@code requestId},
     * stored under the request's prefix.
     *
     * @param outputPrefix the request's safe prefix, "" for none
     * @param storeImages whether to store the PNG
     * @param storeTokenMaps whether to store the token map
     */
    public record Output(
            String requestId,
            int index,
            int count,
            String outputPrefix,
            boolean storeImages,
            boolean storeTokenMaps) {}

    /**
     * How the image is scheduled.
     *
     * @param priority interactive or bulk
     * @param routeKey the batcher key: model plus the batching subtask it is meant for
     * @param receivedAt epoch ms when the request was accepted
     * @param enqueuedAt epoch ms when this image was handed to batching
     * @param deadline epoch ms by which it must reach the model, {@code RequestDeadline.NONE}
     *     (Long.MAX_VALUE) for none; on the job's processing-time clock
     */
    public record Schedule(
            Priority priority, String routeKey, long receivedAt, long enqueuedAt, long deadline) {

        /** Without a deadline. */
        public Schedule(Priority priority, String routeKey, long receivedAt, long enqueuedAt) {
            this(priority, routeKey, receivedAt, enqueuedAt, Long.MAX_VALUE);
        }

        /** Whether the image has a deadline. */
        public boolean hasDeadline() {
            return deadline != Long.MAX_VALUE;
        }
    }

    /** The batcher's key. */
    public String routeKey() {
        return schedule.routeKey();
    }

    /**
     * What the model needs; {@code model} is this image's model (its scales split an edit's source
     * tokens).
     */
    public ImageTask toImageTask(ModelSpec model) {
        return new ImageTask(
                draw.label(),
                draw.seed(),
                sampling,
                edit == null ? null : edit.toSpec(model.patchNumsArray()));
    }

    @Override
    public String toString() {
        return "ImageWork["
                + output.requestId()
                + "#"
                + output.index()
                + "/"
                + output.count()
                + ", "
                + draw.model()
                + ", label "
                + draw.label()
                + ", "
                + schedule.priority()
                + (edit == null ? "" : ", " + edit.mode())
                + "]";
    }
}
