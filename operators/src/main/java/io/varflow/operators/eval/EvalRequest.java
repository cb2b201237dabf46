package io.varflow.operators.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An evaluation-set request as clients submit it (JSON, schema {@code
 * schemas/eval-request.schema.json}): {@code perClass} images of every selected class, with
 * per-image seeds from {@link EvalSeeds} and object names from {@link EvalPlan#key}. Only {@code
 * evalId} and {@code perClass} are required; {@link EvalPlan#of} resolves the defaults.
 *
 * @param evalId names the set; its objects live under {@code outputPrefix} (default {@code
 *     evals/<evalId>})
 * @param model model name, null for the job's default model
 * @param classes class spec ({@code 0-9}, {@code 0,5,7}, {@code all}); in JSON also an array of
 *     numbers; null means every class of the model
 * @param perClass images per class (K)
 * @param seedBase base of the per-image seeds; default 0
 * @param cfg classifier-free guidance; default from {@link io.varflow.model.SamplingParams#FID}
 * @param topK top-k; default from SamplingParams.FID
 * @param topP top-p; default from SamplingParams.FID
 * @param smooth gumbel-softmax smoothing; default false (never use it for FID)
 * @param outputPrefix object-key prefix of the set; default {@code evals/<evalId>}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalRequest(
        String evalId,
        String model,
        @JsonDeserialize(using = EvalRequest.ClassesDeserializer.class) String classes,
        Integer perClass,
        Long seedBase,
        Double cfg,
        Integer topK,
        Double topP,
        Boolean smooth,
        String outputPrefix) {

    /** Accepts {@code "0-9"} as well as {@code [0, 5, 7]} for {@code classes}. */
    static final class ClassesDeserializer extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (node.isTextual()) {
                return node.textValue();
            }
            if (node.isArray()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode item : node) {
                    if (!item.canConvertToInt() || !item.isIntegralNumber()) {
                        throw ctxt.weirdStringException(
                                item.toString(), Integer.class, "classes must be integers");
                    }
                    parts.add(Integer.toString(item.intValue()));
                }
                return String.join(",", parts);
            }
            throw ctxt.wrongTokenException(
                    p,
                    String.class,
                    p.currentToken(),
                    "classes must be a spec such as \"0-9\" or an array of class numbers");
        }
    }
}
