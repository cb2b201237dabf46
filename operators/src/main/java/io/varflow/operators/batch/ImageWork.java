package io.varflow.operators.batch;

import io.varflow.model.TaskSeeds;
import io.varflow.model.ImageTask;
import io.varflow.model.SamplingParams;
import io.varflow.operators.edit.EditWork;
import io.varflow.operators.messages.Priority;

/**
 * One image of a request: what to generate, where it goes and how it is routed. The stream element
 * between the expander, the batcher (which keeps it in keyed state) and the sampler. A Flink POJO
 * of basic fields, so state and network use Flink's PojoSerializer (no Kryo), which supports schema
 * evolution.
 *
 * @param requestId the request's id
 * @param index position of the image in the request, 0-based
 * @param count number of images in the request
 * @param model model name
 * @param label class label
 * @param seed the image's own seed, {@link TaskSeeds#forImage(long, int)} of the request seed
 * @param requestSeed the request's seed (kept for the token map's metadata)
 * @param cfg guidance strength
 * @param topK top-k
 * @param topP top-p
 * @param smooth gumbel-softmax smoothing
 * @param priority interactive or bulk
 * @param storeImages whether to store the PNG
 * @param storeTokenMaps whether to store the token map
 * @param outputPrefix the request's safe prefix, "" for none
 * @param receivedAt epoch ms when the request was accepted
 * @param enqueuedAt epoch ms when this image was handed to batching
 * @param routeKey the batcher key: model plus the batching subtask it is meant for
 * @param edit the edit when this image is a zero-shot edit, null for plain generation
 */
public record ImageWork(
        String requestId,
        int index,
        int count,
        String model,
        int label,
        long seed,
        long requestSeed,
        double cfg,
        int topK,
        double topP,
        boolean smooth,
        Priority priority,
        boolean storeImages,
        boolean storeTokenMaps,
        String outputPrefix,
        long receivedAt,
        long enqueuedAt,
        String routeKey,
        EditWork edit) {

    /** A plain generation image (no edit). */
    public ImageWork(String requestId, int index, int count, String model, int label, long seed, long requestSeed,
            double cfg, int topK, double topP, boolean smooth, Priority priority, boolean storeImages,
            boolean storeTokenMaps, String outputPrefix, long receivedAt, long enqueuedAt, String routeKey) {
        this(requestId, index, count, model, label, seed, requestSeed, cfg, topK, topP, smooth, priority, storeImages,
                storeTokenMaps, outputPrefix, receivedAt, enqueuedAt, routeKey, null);
    }

    /** What the model needs. */
    public ImageTask toImageTask() {
        return new ImageTask(label, seed, new SamplingParams(cfg, topK, topP, smooth),
                edit == null ? null : edit.toSpec());
    }

    @Override
    public String toString() {
        return "ImageWork[" + requestId + "#" + index + "/" + count + ", " + model + ", label " + label + ", "
                + priority + (edit == null ? "" : ", " + edit.mode()) + "]";
    }
}
