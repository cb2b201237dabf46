package io.varflow.model.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.ImageTask;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.vqvae.VqVae;
import java.util.ArrayList;
import java.util.List;

/**
 * The edits of one generation batch as device tensors: per scale, which tokens of each row are kept
 * and the source tokens that replace them. Rows of plain generation tasks keep nothing, so edit and
 * generation tasks share one batch. Image sources are tokenised once, together, when the batch is
 * built.
 */
public final class EditBatch {

    private final ModelConfig config;
    private final NDArray[] keep;
    private final NDArray[] sourceIds;
    private final int[][][] sources;

    private EditBatch(ModelConfig config, NDArray[] keep, NDArray[] sourceIds, int[][][] sources) {
        this.config = config;
        this.keep = keep;
        this.sourceIds = sourceIds;
        this.sources = sources;
    }

    /**
     * Builds the edit tensors of {@code tasks} on {@code manager}, or returns {@code null} when no
     * task is an edit. Tasks must have been validated ({@link EditSpec#validate}).
     */
    public static EditBatch create(
            NDManager manager, ModelConfig config, VqVae vqvae, List<ImageTask> tasks) {
        if (tasks.stream().noneMatch(t -> t.edit() != null)) {
            return null;
        }
        int batch = tasks.size();
        int[][][] sources = resolveSources(manager, config, vqvae, tasks);
        int[] patchNums = config.patchNumsArray();
        NDArray[] keep = new NDArray[patchNums.length];
        NDArray[] ids = new NDArray[patchNums.length];
        boolean[][][] masks = new boolean[batch][][];
        for (int b = 0; b < batch; b++) {
            EditSpec edit = tasks.get(b).edit();
            masks[b] = edit == null ? null : edit.keepMasks(config);
        }
        for (int si = 0; si < patchNums.length; si++) {
            int l = patchNums[si] * patchNums[si];
            boolean[] k = new boolean[batch * l];
            long[] src = new long[batch * l];
            for (int b = 0; b < batch; b++) {
                if (masks[b] == null) {
                    continue;
                }
                for (int j = 0; j < l; j++) {
                    k[b * l + j] = masks[b][si][j];
                    src[b * l + j] = sources[b][si][j];
                }
            }
            keep[si] = manager.create(k, new Shape(batch, l));
            ids[si] = manager.create(src, new Shape(batch, l));
        }
        return new EditBatch(config, keep, ids, sources);
    }

    // Per task its source token maps (null for generation tasks); image sources encoded in one
    // batch.
    private static int[][][] resolveSources(
            NDManager manager, ModelConfig config, VqVae vqvae, List<ImageTask> tasks) {
        int batch = tasks.size();
        int[][][] sources = new int[batch][][];
        List<Integer> imageRows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            EditSpec edit = tasks.get(b).edit();
            if (edit == null) {
                continue;
            }
            if (edit.source() instanceof EditSource.Tokens t) {
                sources[b] = t.perScale();
            } else {
                imageRows.add(b);
            }
        }
        if (!imageRows.isEmpty()) {
            int size = config.imageSize();
            int perImage = 3 * size * size;
            float[] pixels = new float[imageRows.size() * perImage];
            for (int i = 0; i < imageRows.size(); i++) {
                float[] chw =
                        ((EditSource.Image) tasks.get(imageRows.get(i)).edit().source()).chw();
                for (int j = 0; j < perImage; j++) {
                    pixels[i * perImage + j] = chw[j] * 2f - 1f; // img_to_idxBl takes [-1, 1]
                }
            }
            try (NDManager encoding = manager.newSubManager()) {
                NDArray images =
                        encoding.create(pixels, new Shape(imageRows.size(), 3, size, size));
                List<int[][]> encoded = vqvae.encode(images);
                for (int i = 0; i < imageRows.size(); i++) {
                    sources[imageRows.get(i)] = encoded.get(i);
                }
            }
        }
        return sources;
    }

    /** Scale {@code si}'s tokens with the kept positions replaced by the source's: (B, pn²). */
    public NDArray replaceTokens(NDArray drawn, int si) {
        NDArray src =
                sourceIds[si].getDataType() == drawn.getDataType()
                        ? sourceIds[si]
                        : sourceIds[si].toType(drawn.getDataType(), false);
        return NDArrays.where(keep[si], src, drawn);
    }

    /** Which positions of scale {@code si} are sampled (not kept), as (B, 1, pn, pn) booleans. */
    public NDArray sampledPositions(int si) {
        int pn = config.patchNumsArray()[si];
        return keep[si].logicalNot().reshape(keep[si].getShape().get(0), 1, pn, pn);
    }

    /**
     * The source token maps of row {@code b} (tokenised when the source was an image); null for
     * generation rows.
     */
    public int[][] sourceTokens(int b) {
        int[][] s = sources[b];
        if (s == null) {
            return null;
        }
        int[][] copy = new int[s.length][];
        for (int i = 0; i < s.length; i++) {
            copy[i] = s[i].clone();
        }
        return copy;
    }
}
