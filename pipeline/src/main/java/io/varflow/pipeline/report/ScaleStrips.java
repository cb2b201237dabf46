package io.varflow.pipeline.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.vqvae.VqVae;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the coarse-to-fine strip of a token map: the image decoded after each scale, left to
 * right, each enlarged to a readable size with nearest-neighbour pixels. Holds one VQVAE (on the
 * CPU, float32); close it when done.
 */
public final class ScaleStrips implements AutoCloseable {

    private final VqVae vae;

    private ScaleStrips(VqVae vae) {
        this.vae = vae;
    }

    /** Loads the VQVAE of {@code config} from {@code vaeCheckpoint}. */
    public static ScaleStrips load(ModelConfig config, Path vaeCheckpoint)
            throws CheckpointException {
        return new ScaleStrips(VqVae.load(config, vaeCheckpoint, RuntimeOptions.CPU_FP32));
    }

    public ModelConfig config() {
        return vae.config();
    }

    /** Why {@code map} cannot be drawn with this model, or null when it can. */
    public String mismatch(TokenMap map) {
        if (!map.patchNums().equals(vae.config().patchNums())) {
            return "token map of scales "
                    + map.patchNums()
                    + ", model "
                    + vae.config().name()
                    + " has "
                    + vae.config().patchNums();
        }
        for (int[] scale : map.tokensPerScale()) {
            for (int id : scale) {
                if (id < 0 || id >= vae.config().vocabSize()) {
                    return "token "
                            + id
                            + " is outside the vocabulary of model "
                            + vae.config().name();
                }
            }
        }
        return null;
    }

    /** The decoded images after 1, 2, … all scales, at the model's resolution. */
    public List<PngImages.Image> decodeScales(TokenMap map) {
        String mismatch = mismatch(map);
        if (mismatch != null) {
            throw new IllegalArgumentException(mismatch);
        }
        int size = vae.config().imageSize();
        int plane = 3 * size * size;
        float[] all;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray images = vae.decodeScales(map.tokensPerScale(), m);
            all = images.add(1).div(2).toFloatArray(); // [−1, 1] to [0, 1]
        }
        List<PngImages.Image> out = new ArrayList<>();
        for (int s = 0; s < map.patchNums().size(); s++) {
            float[] chw = new float[plane];
            System.arraycopy(all, s * plane, chw, 0, plane);
            out.add(new PngImages.Image(chw, size, size));
        }
        return out;
    }

    /** The strip as one picture: every scale's image at a readable size, coarse to fine. */
    public PngImages.Image strip(TokenMap map) {
        return PixelImages.row(decodeScales(map).stream().map(PixelImages::readable).toList());
    }

    @Override
    public void close() {
        vae.close();
    }
}
