package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.RandomStateDict;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.checkpoint.StateDictLayout;
import io.varflow.model.checkpoint.TensorData;
import io.varflow.model.config.ModelConfig;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The VQVAE for configs other than the fixture's, with random weights of the checkpoint layout. */
class VqVaeGeneralityTest {

    static Stream<ModelConfig> configs() {
        return Stream.of(
                // Two levels (down-sampling 2), one shared phi.
                config("two-levels", 16, 4, 32, List.of(1, 2), 1, 0.5, List.of(1, 2, 3)),
                // Three levels, identity phi (quant_resi 0: no phi weights at all), overlapping
                // area windows.
                config("identity-phi", 24, 8, 32, List.of(1, 1, 2), 3, 0.0, List.of(1, 2, 4, 5)),
                // Two shared phi, a negative ratio (its magnitude is used), wider channels.
                config("two-phi", 32, 4, 64, List.of(1, 2), 2, -0.25, List.of(1, 3, 4)));
    }

    private static ModelConfig config(
            String name,
            int vocab,
            int z,
            int ch,
            List<Integer> mult,
            int k,
            double resi,
            List<Integer> patchNums) {
        return new ModelConfig(
                name, vocab, z, ch, mult, k, resi, patchNums, 1, 64, 1, 10, false, true, 1e-6, 0);
    }

    @ParameterizedTest
    @MethodSource("configs")
    void readsExactlyTheLayoutOfTheConfig(ModelConfig config) throws CheckpointException {
        Recording sd = new Recording(RandomStateDict.vqvae(config, 1));
        try (VqVae vae = VqVae.load(config, sd, RuntimeOptions.CPU_FP32)) {
            assertThat(vae.quantizer().phiIndices())
                    .containsExactly(
                            MultiScaleQuantizer.phiIndices(
                                    config.numScales(), config.shareQuantResi()));
        }
        assertThat(sd.requested)
                .containsExactlyInAnyOrderElementsOf(
                        StateDictLayout.vqvae(config).keys().stream()
                                .filter(k -> !k.equals(StateDictLayout.EMA_VOCAB_HIT))
                                .toList());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void encodeDecodeAndTheStepApiAgree(ModelConfig config) throws CheckpointException {
        int size = config.imageSize();
        int[] patchNums = config.patchNumsArray();
        try (VqVae vae =
                        VqVae.load(
                                config, RandomStateDict.vqvae(config, 2), RuntimeOptions.CPU_FP32);
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray images = m.randomUniform(-1, 1, new Shape(3, 3, size, size));
            List<int[][]> tokens = vae.encode(images);
            assertThat(tokens).hasSize(3);
            for (int[][] image : tokens) {
                assertThat(image).hasNumberOfRows(patchNums.length);
                for (int si = 0; si < patchNums.length; si++) {
                    assertThat(image[si]).hasSize(patchNums[si] * patchNums[si]);
                    assertThat(java.util.Arrays.stream(image[si]).boxed().toList())
                            .allSatisfy(id -> assertThat(id).isBetween(0, config.vocabSize() - 1));
                }
            }
            NDArray decoded = vae.decodeTokens(tokens, m);
            NDArray reconstructed = vae.reconstruct(images);
            assertThat(decoded.getShape()).isEqualTo(new Shape(3, 3, size, size));
            assertThat(decoded.max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(decoded.min().getFloat()).isGreaterThanOrEqualTo(-1f);
            assertThat(maxAbs(decoded.sub(reconstructed))).isLessThanOrEqualTo(1e-6);

            // The generation loop's path: embed, addScale, nextScaleInput, decodeFHat.
            List<NDArray> ids = vae.imgToIdxBl(images);
            NDArray fHat = vae.newFHat(m, 3);
            for (int si = 0; si < patchNums.length; si++) {
                vae.addScale(fHat, vae.embed(ids.get(si)), si);
                if (si + 1 < patchNums.length) {
                    int next = patchNums[si + 1];
                    assertThat(vae.nextScaleInput(fHat, si).getShape())
                            .isEqualTo(new Shape(3, config.zChannels(), next, next));
                }
            }
            assertThat(maxAbs(vae.decodeFHat(fHat).sub(decoded))).isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void quantizerWithIdentityPhiMatchesAHostReference() throws CheckpointException {
        // Identity phi keeps the host reference free of convolutions; the golden tests cover phi.
        ModelConfig config =
                configs().filter(cfg -> Phi.isIdentity(cfg.quantResi())).findFirst().orElseThrow();
        int p = config.finalPatch();
        int c = config.zChannels();
        int[] patchNums = config.patchNumsArray();
        try (VqVae vae =
                        VqVae.load(
                                config, RandomStateDict.vqvae(config, 3), RuntimeOptions.CPU_FP32);
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            Random random = new Random(5);
            float[] f = new float[2 * c * p * p];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) (random.nextGaussian() * 0.05);
            }
            List<NDArray> ids = vae.quantizer().quantize(m.create(f, new Shape(2, c, p, p)));
            float[] codebook = vae.quantizer().codebook().toFloatArray();
            for (int b = 0; b < 2; b++) {
                double[][][] rest = new double[c][p][p];
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < p; y++) {
                        for (int x = 0; x < p; x++) {
                            rest[ch][y][x] = f[((b * c + ch) * p + y) * p + x];
                        }
                    }
                }
                for (int si = 0; si < patchNums.length; si++) {
                    int pn = patchNums[si];
                    double[][] area = Resampling.area(p, pn);
                    double[][] up = Resampling.bicubic(pn, p);
                    double[][][] z = new double[c][][];
                    for (int ch = 0; ch < c; ch++) {
                        z[ch] = pn == p ? rest[ch] : Resampling.apply(area, rest[ch], area);
                    }
                    long[] actual = ids.get(si).get(b).toLongArray();
                    double[][][] h = new double[c][pn][pn];
                    for (int y = 0; y < pn; y++) {
                        for (int x = 0; x < pn; x++) {
                            int best = nearest(z, y, x, codebook, config.vocabSize(), c);
                            assertThat(actual[y * pn + x])
                                    .as("image %d scale %d token %d", b, si, y * pn + x)
                                    .isEqualTo(best);
                            for (int ch = 0; ch < c; ch++) {
                                h[ch][y][x] = codebook[best * c + ch];
                            }
                        }
                    }
                    for (int ch = 0; ch < c; ch++) {
                        double[][] hUp = pn == p ? h[ch] : Resampling.apply(up, h[ch], up);
                        for (int y = 0; y < p; y++) {
                            for (int x = 0; x < p; x++) {
                                rest[ch][y][x] -= hUp[y][x];
                            }
                        }
                    }
                }
            }
        }
    }

    private static int nearest(double[][][] z, int y, int x, float[] codebook, int vocab, int c) {
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            double d = 0;
            for (int ch = 0; ch < c; ch++) {
                double diff = z[ch][y][x] - codebook[v * c + ch];
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = v;
            }
        }
        return best;
    }

    private static double maxAbs(NDArray a) {
        return a.abs().max().getFloat();
    }

    /** Records which keys the model reads. */
    private static final class Recording implements StateDict {
        private final StateDict delegate;
        private final Set<String> requested = new LinkedHashSet<>();

        Recording(StateDict delegate) {
            this.delegate = delegate;
        }

        @Override
        public Path source() {
            return delegate.source();
        }

        @Override
        public List<String> keys() {
            return delegate.keys();
        }

        @Override
        public boolean contains(String key) {
            return delegate.contains(key);
        }

        @Override
        public TensorData get(String key) throws CheckpointException {
            requested.add(key);
            return delegate.get(key);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
