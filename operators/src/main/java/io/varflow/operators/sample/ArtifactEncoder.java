package io.varflow.operators.sample;

import io.varflow.model.GeneratedImage;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.batch.ImageWork;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes a generated image into the stored objects: a PNG ({@link PngImages}) and a token map
 * holding every scale ({@link TokenMapFile}, {@code varflow.tokens.v1} safetensors) whose metadata
 * carries the request's parameters, so the file is self-describing when read from Python.
 */
final class ArtifactEncoder {

    private ArtifactEncoder() {}

    static byte[] png(GeneratedImage image) {
        return PngImages.encode(image.pixels(), image.size(), image.size());
    }

    static byte[] tokenMap(ImageWork work, GeneratedImage image, ModelConfig config) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("request_id", work.requestId());
        extra.put("index", Integer.toString(work.index()));
        extra.put("count", Integer.toString(work.count()));
        extra.put("request_seed", Long.toString(work.requestSeed()));
        extra.put("priority", work.priority().wireName());
        if (work.edit() != null) {
            extra.put("edit_mode", work.edit().mode());
            extra.put("edit_source", work.edit().sourceUri());
            if ("variation".equals(work.edit().mode())) {
                extra.put("keep_scales", Integer.toString(work.edit().keepScales()));
            }
        }
        TokenMap map = new TokenMap(work.model(), config.patchNums(), image.tokensPerScale(), work.label(),
                work.seed(), image.task().sampling(), extra);
        return TokenMapFile.toBytes(map);
    }
}
