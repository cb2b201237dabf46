package io.varflow.operators.edit;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.SamplingParams;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.edit.EditMode;

/**
 * An edit message that passed every check that needs no object: JSON, safe names, mode, limits,
 * schema, model, label range and sampling, with defaults resolved. Its source and mask are still
 * references ({@code uri} or {@code pngBase64}) for {@link EditSourceLoader}.
 *
 * @param requestId the safe request id
 * @param model the model's name (the job's default when the message named none)
 * @param config the model's config
 * @param mode the edit mode
 * @param classLabel the label asked for, null when the message gave none
 * @param sampling how the variants are sampled
 * @param keepScales variation: scales kept; 0 otherwise
 * @param source the {@code source} object of the message
 * @param mask the {@code mask} object, null for a variation
 * @param count number of variants
 * @param seed the request seed
 * @param storeImages whether to store PNGs
 * @param storeTokenMaps whether to store token maps
 * @param outputPrefix safe prefix, "" for none
 */
record ParsedEdit(
        String requestId,
        String model,
        ModelConfig config,
        EditMode mode,
        Integer classLabel,
        SamplingParams sampling,
        int keepScales,
        JsonNode source,
        JsonNode mask,
        int count,
        long seed,
        boolean storeImages,
        boolean storeTokenMaps,
        String outputPrefix) {}
