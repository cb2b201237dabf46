package io.varflow.operators.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A generation request as clients write it to the requests topic (JSON, schema {@code
 * schemas/generation-request.schema.json}). Either {@code classLabel} + {@code count} or {@code
 * labels} is set; every other field but {@code requestId} is optional. This is the wire form:
 * {@link io.varflow.operators.validate.RequestValidator} checks it and resolves defaults.
 *
 * @param requestId client-chosen idempotency key; also the object-key directory of the outputs
 * @param model model name, null for the job's default model
 * @param classLabel label of every image when {@code count} is given
 * @param count number of images of {@code classLabel}
 * @param labels one label per image (instead of classLabel + count)
 * @param seed request seed; image i's seed is derived from (seed, i)
 * @param cfg classifier-free guidance strength
 * @param topK top-k (0 disables)
 * @param topP top-p (0 disables)
 * @param smooth gumbel-softmax smoothing
 * @param priority interactive or bulk
 * @param outputs what to store per image
 * @param outputPrefix object-key prefix below the job's base prefix
 * @param deadline when the images must be done, RFC 3339 (e.g. {@code 2026-11-29T18:40:00Z})
 * @param timeBudgetMs instead of {@code deadline}: milliseconds from arrival at the job
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationRequest(
        String requestId,
        String model,
        Integer classLabel,
        Integer count,
        List<Integer> labels,
        Long seed,
        Double cfg,
        Integer topK,
        Double topP,
        Boolean smooth,
        Priority priority,
        List<OutputKind> outputs,
        String outputPrefix,
        String deadline,
        Long timeBudgetMs) {

    public GenerationRequest {
        labels = labels == null ? null : List.copyOf(labels);
        outputs = outputs == null ? null : List.copyOf(outputs);
    }
}
