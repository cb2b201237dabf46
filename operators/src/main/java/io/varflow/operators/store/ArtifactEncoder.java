package io.varflow.operators.store;

import io.varflow.model.SamplingParams;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.sample.GeneratedArtifact;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes a generated image into the stored objects: a PNG ({@link PngImages}) and a token map
 * holding every scale ({@link TokenMapFile}, {@code varflow.tokens.v1} safetensors) whose metadata
 * carries the request's parameters, so the file is self-describing when read from Python.
 */
public final class ArtifactEncoder {

    private ArtifactEncoder() {}

    /** The PNG of the artifact's pixels, or null when it carries none. */
    public static byte[] png(GeneratedArtifact artifact) {
        return artifact.rgb() == null ? null : PngImages.encodeRgb(artifact.rgb(), artifact.size(), artifact.size());
    }

    /** The token-map file of the artifact's tokens, or null when it carries none. */
    public static byte[] tokenMap(GeneratedArtifact artifact) {
        if (artifact.tokensPerScale() == null) {
            return null;
        }
        ImageWork work = artifact.work();
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
        TokenMap map = new TokenMap(work.model(), Arrays.stream(artifact.patchNums()).boxed().toList(),
                artifact.tokensPerScale(), work.label(), work.seed(),
                new SamplingParams(work.cfg(), work.topK(), work.topP(), work.smooth()), extra);
        return TokenMapFile.toBytes(map);
    }
}
