package io.varflow.model.vqvae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.checkpoint.CheckpointException;
import io.varflow.model.checkpoint.Checkpoints;
import io.varflow.model.checkpoint.StateDict;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key names and shapes the VQVAE reads, against the published checkpoint and the fixture. */
class VqVaeLayoutTest {

    @Test
    void readsEveryParameterOfThePublishedVqvae() throws IOException {
        Map<String, long[]> shapes = publishedShapes();
        ShapeOnlyStateDict sd = new ShapeOnlyStateDict(shapes);
        ModelConfig d16 = ModelConfigs.imagenet256(16);
        try (VqVae vae = VqVae.load(d16, sd, RuntimeOptions.CPU_FP32)) {
            assertThat(vae.quantizer().phiIndices()).containsExactly(0, 0, 1, 1, 1, 2, 2, 3, 3, 3);
            assertThat(vae.quantizer().codebook().getShape()).isEqualTo(new Shape(4096, 32));
        }
        // Everything but the training-only usage statistics buffer.
        assertThat(sd.requested())
                .containsExactlyInAnyOrderElementsOf(
                        shapes.keySet().stream()
                                .filter(k -> !k.equals("quantize.ema_vocab_hit_SV"))
                                .toList());
    }

    @Test
    void aMissingParameterIsNamed() throws IOException {
        ModelConfig tiny = tinyConfig();
        try (StateDict real = Checkpoints.open(BundledFiles.path("varflow/tiny/vae.pth"))) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String key : real.keys()) {
                if (!key.equals("decoder.up.2.block.1.conv2.bias")) {
                    shapes.put(key, real.get(key).shape());
                }
            }
            assertThatThrownBy(
                            () ->
                                    VqVae.load(
                                            tiny,
                                            new ShapeOnlyStateDict(shapes),
                                            RuntimeOptions.CPU_FP32))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("decoder.up.2.block.1.conv2.bias");
        }
    }

    @Test
    void aMisshapenParameterIsNamedWithBothShapes() throws IOException {
        ModelConfig tiny = tinyConfig();
        try (StateDict real = Checkpoints.open(BundledFiles.path("varflow/tiny/vae.pth"))) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String key : real.keys()) {
                shapes.put(key, real.get(key).shape());
            }
            shapes.put("quantize.embedding.weight", new long[] {65, 8});
            assertThatThrownBy(
                            () ->
                                    VqVae.load(
                                            tiny,
                                            new ShapeOnlyStateDict(shapes),
                                            RuntimeOptions.CPU_FP32))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("quantize.embedding.weight")
                    .hasMessageContaining("(65, 8)")
                    .hasMessageContaining("(64, 8)");
        }
    }

    @Test
    void aConfigOfAnotherVocabularyFailsAtTheCodebook() throws IOException {
        // The fixture weights with a config of another vocabulary: fails late, at the codebook.
        ModelConfig wrongVocab =
                new ModelConfig(
                        "wrong",
                        128,
                        8,
                        32,
                        List.of(1, 1, 2, 2, 4),
                        4,
                        0.5,
                        List.of(1, 2, 3, 4),
                        2,
                        128,
                        2,
                        10,
                        false,
                        true,
                        1e-6,
                        64);
        try (StateDict real = Checkpoints.open(BundledFiles.path("varflow/tiny/vae.pth"))) {
            assertThatThrownBy(() -> VqVae.load(wrongVocab, real, RuntimeOptions.CPU_FP32))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("quantize.embedding.weight");
        }
    }

    @Test
    void rejectsImagesOfAnotherSizeAndTokensOutsideTheVocabulary() throws IOException {
        try (StateDict real = Checkpoints.open(BundledFiles.path("varflow/tiny/vae.pth"));
                VqVae vae = VqVae.load(tinyConfig(), real, RuntimeOptions.CPU_FP32);
                NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertThatThrownBy(() -> vae.encode(m.zeros(new Shape(1, 3, 32, 32))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(B, 3, 64, 64)");
            int[][] tokens = {{0}, {0, 0, 0, 0}, new int[9], new int[16]};
            tokens[2][4] = 64;
            assertThatThrownBy(() -> vae.decodeTokens(List.<int[][]>of(tokens), m))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("scale 2 token 4 is 64");
            int[][] short1 = {{0}, {0, 0, 0}, new int[9], new int[16]};
            assertThatThrownBy(() -> vae.decodeTokens(List.<int[][]>of(short1), m))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("scale 1 has 3 tokens");
            assertThat(m.getManagedArrays()).hasSize(1);
        }
    }

    private static ModelConfig tinyConfig() {
        return ModelConfigs.read(BundledFiles.path("varflow/tiny/config.json"));
    }

    private static Map<String, long[]> publishedShapes() throws IOException {
        JsonNode root;
        try (InputStream in =
                VqVaeLayoutTest.class
                        .getClassLoader()
                        .getResourceAsStream("state_dict_shapes.json")) {
            root = new ObjectMapper().readTree(in);
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.get("vae_ch160v4096z32").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            long[] shape = new long[e.getValue().size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get(i).asLong();
            }
            shapes.put(e.getKey(), shape);
        }
        return shapes;
    }
}
