package io.varflow.operators.store;

import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.sample.GeneratedArtifact;
import java.util.LinkedHashMap;
import java.util.List;
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
        return artifact.rgb() == null
                ? null
                : PngImages.encodeRgb(artifact.rgb(), artifact.size(), artifact.size());
    }

    /**
     * The token-map file of the artifact's tokens, or null when it carries none.
     *
     * @param patchNums the scales of the artifact's model (from the catalog)
     */
    public static byte[] tokenMap(GeneratedArtifact artifact, List<Integer> patchNums) {
        if (artifact.tokensPerScale() == null) {
            return null;
        }
        ImageWork work = artifact.work();
        ImageWork.Output output = work.output();
        ImageWork.Draw draw = work.draw();
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("request_id", output.requestId());
        extra.put("index", Integer.toString(output.index()));
        extra.put("count", Integer.toString(output.count()));
        extra.put("request_seed", Long.toString(draw.requestSeed()));
        extra.put("priority", work.schedule().priority().wireName());
        if (work.edit() != null) {
            extra.put("edit_mode", work.edit().mode());
            extra.put("edit_source", work.edit().sourceUri());
            if ("variation".equals(work.edit().mode())) {
                extra.put("keep_scales", Integer.toString(work.edit().keepScales()));
            } else {
                extra.put(
                        "edit_mask",
                        EditMaskRows.format(work.edit().regionGrid(), work.edit().gridSize()));
            }
        }
        TokenMap map =
                new TokenMap(
                        draw.model(),
                        patchNums,
                        artifact.tokensPerScale(),
                        draw.label(),
                        draw.seed(),
                        work.sampling(),
                        extra);
        return TokenMapFile.toBytes(map);
    }
}
