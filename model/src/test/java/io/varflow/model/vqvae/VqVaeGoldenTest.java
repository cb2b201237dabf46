package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.model.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The VQVAE against outputs of the official implementation on the tiny fixture model. */
class VqVaeGoldenTest {

    private static ModelConfig config;
    private static VqVae vae;
    private static JsonNode golden;
    private static NDManager manager;

    @BeforeAll
    static void load() throws IOException {
        config = ModelConfigs.read(BundledFiles.path("varflow/tiny/config.json"));
        vae =
                VqVae.load(
                        config, BundledFiles.path("varflow/tiny/vae.pth"), RuntimeOptions.CPU_FP32);
        try (InputStream in =
                VqVaeGoldenTest.class
                        .getClassLoader()
                        .getResourceAsStream("var-tiny/golden.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void close() {
        manager.close();
        vae.close();
    }

    @Test
    void encodeGivesTheOfficialTokens() throws IOException {
        JsonNode expected = golden.get("encode").get("tokens_per_scale");
        try (NDManager m = manager.newSubManager()) {
            List<int[][]> tokens = vae.encode(array(m, "var-tiny/encode_input.npy"));
            assertThat(tokens).hasSize(2);
            for (int b = 0; b < 2; b++) {
                for (int si = 0; si < config.numScales(); si++) {
                    assertThat(tokens.get(b)[si])
                            .as("image %d scale %d", b, si)
                            .containsExactly(ints(expected.get(si).get(b)));
                }
            }
        }
    }

    @Test
    void reconstructMatchesTheOfficialReconstruction() throws IOException {
        Npy.NpyArray expected = npy("var-tiny/encode_recon.npy");
        try (NDManager m = manager.newSubManager()) {
            NDArray recon = vae.reconstruct(array(m, "var-tiny/encode_input.npy"));
            assertThat(recon.getShape()).isEqualTo(new Shape(expected.shape()));
            assertThat(maxAbsDiff(recon.toFloatArray(), expected.asFloats()))
                    .isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void encodeAndReconstructInOnePassGivesBoth() throws IOException {
        Npy.NpyArray expected = npy("var-tiny/encode_recon.npy");
        JsonNode expectedTokens = golden.get("encode").get("tokens_per_scale");
        try (NDManager m = manager.newSubManager()) {
            NDArray input = array(m, "var-tiny/encode_input.npy");
            VqVae.Encoded encoded = vae.encodeAndReconstruct(input);
            for (int b = 0; b < 2; b++) {
                for (int si = 0; si < config.numScales(); si++) {
                    assertThat(encoded.tokens().get(b)[si])
                            .containsExactly(ints(expectedTokens.get(si).get(b)));
                }
            }
            assertThat(maxAbsDiff(encoded.reconstruction().toFloatArray(), expected.asFloats()))
                    .isLessThanOrEqualTo(1e-4);
            assertThat(m.getManagedArrays())
                    .containsExactlyInAnyOrder(input, encoded.reconstruction());
        }
    }

    @Test
    void decodingTheEncodedTokensGivesTheReconstruction() throws IOException {
        Npy.NpyArray expected = npy("var-tiny/encode_recon.npy");
        try (NDManager m = manager.newSubManager()) {
            List<int[][]> tokens = vae.encode(array(m, "var-tiny/encode_input.npy"));
            NDArray image = vae.decodeTokens(tokens, m);
            assertThat(maxAbsDiff(image.toFloatArray(), expected.asFloats()))
                    .isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void decodingTheGeneratedTokensGivesTheGeneratedImages() throws IOException {
        for (JsonNode run : golden.get("generate")) {
            JsonNode scales = run.get("tokens_per_scale");
            int batch = scales.get(0).size();
            List<int[][]> tokens = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                int[][] perScale = new int[scales.size()][];
                for (int si = 0; si < scales.size(); si++) {
                    perScale[si] = ints(scales.get(si).get(b));
                }
                tokens.add(perScale);
            }
            Npy.NpyArray expected = npy("var-tiny/" + run.get("image_file").asText());
            try (NDManager m = manager.newSubManager()) {
                NDArray image = vae.decodeTokens(tokens, m).add(1).div(2);
                assertThat(image.getShape()).isEqualTo(new Shape(expected.shape()));
                assertThat(maxAbsDiff(image.toFloatArray(), expected.asFloats()))
                        .as("cfg %s", run.get("cfg"))
                        .isLessThanOrEqualTo(1e-4);
            }
        }
    }

    @Test
    void generationStepsRebuildTheDecodedImage() throws IOException {
        // The f_hat path the VAR loop uses (embed, addScale, nextScaleInput, decodeFHat) equals
        // decodeTokens.
        JsonNode scales = golden.get("generate").get(1).get("tokens_per_scale");
        int batch = scales.get(0).size();
        Npy.NpyArray expected =
                npy("var-tiny/" + golden.get("generate").get(1).get("image_file").asText());
        int[] patchNums = config.patchNumsArray();
        try (NDManager m = manager.newSubManager()) {
            NDArray fHat = vae.newFHat(m, batch);
            for (int si = 0; si < patchNums.length; si++) {
                int l = patchNums[si] * patchNums[si];
                long[] ids = new long[batch * l];
                for (int b = 0; b < batch; b++) {
                    int[] row = ints(scales.get(si).get(b));
                    for (int j = 0; j < l; j++) {
                        ids[b * l + j] = row[j];
                    }
                }
                NDArray h = vae.embed(m.create(ids, new Shape(batch, l)));
                assertThat(h.getShape())
                        .isEqualTo(
                                new Shape(batch, config.zChannels(), patchNums[si], patchNums[si]));
                assertThat(vae.addScale(fHat, h, si)).isSameAs(fHat);
                if (si + 1 < patchNums.length) {
                    NDArray next = vae.nextScaleInput(fHat, si);
                    int pn = patchNums[si + 1];
                    assertThat(next.getShape())
                            .isEqualTo(new Shape(batch, config.zChannels(), pn, pn));
                }
            }
            NDArray image = vae.decodeFHat(fHat).add(1).div(2);
            assertThat(maxAbsDiff(image.toFloatArray(), expected.asFloats()))
                    .isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void encodeAndDecodeLeaveNoArraysBehind() throws IOException {
        int modelArrays = vae.manager().getManagedArrays().size();
        try (NDManager m = manager.newSubManager()) {
            NDArray input = array(m, "var-tiny/encode_input.npy");
            List<int[][]> tokens = vae.encode(input);
            assertThat(m.getManagedArrays()).containsExactly(input);
            NDArray image = vae.decodeTokens(tokens, m);
            NDArray recon = vae.reconstruct(input);
            assertThat(m.getManagedArrays()).containsExactlyInAnyOrder(input, image, recon);
            List<NDArray> ids = vae.imgToIdxBl(input);
            assertThat(ids).hasSize(config.numScales());
            assertThat(m.getManagedArrays()).hasSize(3 + config.numScales());
            NDArray fHat = vae.newFHat(m, 2);
            NDArray h = vae.embed(ids.get(0));
            vae.addScale(fHat, h, 0);
            NDArray next = vae.nextScaleInput(fHat, 0);
            assertThat(m.getManagedArrays()).hasSize(3 + config.numScales() + 3);
            assertThat(next.getManager()).isSameAs(m);
        }
        assertThat(vae.manager().getManagedArrays()).hasSize(modelArrays);
    }

    private static NDArray array(NDManager m, String resource) throws IOException {
        Npy.NpyArray a = npy(resource);
        return m.create(a.asFloats(), new Shape(a.shape()));
    }

    private static Npy.NpyArray npy(String resource) throws IOException {
        try (InputStream in =
                VqVaeGoldenTest.class.getClassLoader().getResourceAsStream(resource)) {
            return Npy.read(in, resource);
        }
    }

    private static int[] ints(JsonNode node) {
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asInt();
        }
        return out;
    }

    private static double maxAbsDiff(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        if (Boolean.getBoolean("varflow.test.verbose")) {
            System.out.println("max abs error " + max);
        }
        return max;
    }
}
