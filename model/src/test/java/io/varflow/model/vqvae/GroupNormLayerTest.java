package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.nn.TorchFunctions;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupNormLayerTest {

    @Test
    void matchesADoublePrecisionReferenceInEitherMemoryFormat() {
        int batch = 2;
        int channels = 64; // 2 channels per group
        int side = 3;
        Random random = new Random(7);
        float[] x = new float[batch * channels * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 3 + 1);
        }
        float[] gamma = new float[channels];
        float[] beta = new float[channels];
        for (int c = 0; c < channels; c++) {
            gamma[c] = (float) random.nextGaussian();
            beta[c] = (float) random.nextGaussian();
        }
        double[] expected = reference(x, gamma, beta, batch, channels, side * side);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            GroupNormLayer norm = GroupNormLayer.of(m.create(gamma), m.create(beta));
            NDArray input = m.create(x, new Shape(batch, channels, side, side));
            float[] standard = norm.forward(input).toFloatArray();
            NDArray channelsLast = TorchFunctions.channelsLast(input);
            float[] permuted = TorchFunctions.contiguous(norm.forward(channelsLast)).toFloatArray();
            float[] activated = norm.forwardSilu(input).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat((double) standard[i]).isCloseTo(expected[i], within(1e-5));
                assertThat((double) permuted[i]).isCloseTo(expected[i], within(1e-5));
                double silu = expected[i] / (1 + Math.exp(-expected[i]));
                assertThat((double) activated[i]).isCloseTo(silu, within(1e-5));
            }
        }
    }

    private static double[] reference(
            float[] x, float[] gamma, float[] beta, int batch, int channels, int hw) {
        double[] out = new double[x.length];
        int perGroup = channels / GroupNormLayer.GROUPS;
        for (int b = 0; b < batch; b++) {
            for (int g = 0; g < GroupNormLayer.GROUPS; g++) {
                int start = (b * channels + g * perGroup) * hw;
                int n = perGroup * hw;
                double mean = 0;
                for (int i = 0; i < n; i++) {
                    mean += x[start + i];
                }
                mean /= n;
                double var = 0;
                for (int i = 0; i < n; i++) {
                    var += (x[start + i] - mean) * (x[start + i] - mean);
                }
                var /= n;
                for (int i = 0; i < n; i++) {
                    int c = g * perGroup + i / hw;
                    out[start + i] =
                            (x[start + i] - mean) / Math.sqrt(var + 1e-6) * gamma[c] + beta[c];
                }
            }
        }
        return out;
    }
}
