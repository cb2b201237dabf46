package io.varflow.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateDictLayoutTest {

    static final ModelConfig TINY =
            ModelConfigs.read(BundledFiles.path("varflow/tiny/config.json"));

    @TempDir Path tmp;

    private static JsonNode shapesJson() throws IOException {
        try (InputStream in =
                StateDictLayoutTest.class
                        .getClassLoader()
                        .getResourceAsStream("state_dict_shapes.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Map<String, List<Long>> expected(JsonNode node) {
        Map<String, List<Long>> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            List<Long> shape = new ArrayList<>();
            field.getValue().forEach(d -> shape.add(d.asLong()));
            result.put(field.getKey(), shape);
        }
        return result;
    }

    private static Map<String, List<Long>> actual(StateDictLayout layout) {
        Map<String, List<Long>> result = new LinkedHashMap<>();
        for (StateDictLayout.Entry e : layout.entries()) {
            List<Long> shape = new ArrayList<>();
            for (long d : e.shape()) {
                shape.add(d);
            }
            result.put(e.key(), shape);
        }
        return result;
    }

    @ParameterizedTest
    @ValueSource(strings = {"d16", "d20", "d24", "d30"})
    void presetVarLayoutsHaveThePublishedKeysShapesAndOrder(String preset) throws IOException {
        Map<String, List<Long>> expected = expected(shapesJson().get("var_" + preset));
        Map<String, List<Long>> actual = actual(StateDictLayout.var(ModelConfigs.resolve(preset)));
        assertThat(List.copyOf(actual.keySet())).containsExactlyElementsOf(expected.keySet());
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void presetVqvaeLayoutHasThePublishedKeysShapesAndOrder() throws IOException {
        Map<String, List<Long>> expected = expected(shapesJson().get("vae_ch160v4096z32"));
        for (ModelConfig config : ModelConfigs.presets().values()) {
            Map<String, List<Long>> actual = actual(StateDictLayout.vqvae(config));
            assertThat(List.copyOf(actual.keySet())).containsExactlyElementsOf(expected.keySet());
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void parameterCountsMatchTheReadme() {
        // Counts published with the official models (VAR README), buffers excluded.
        assertThat(StateDictLayout.var(ModelConfigs.resolve("d16")).parameterCount())
                .isEqualTo(310_283_520L);
        assertThat(StateDictLayout.var(ModelConfigs.resolve("d30")).parameterCount())
                .isEqualTo(2_010_020_356L);
        assertThat(StateDictLayout.vqvae(ModelConfigs.resolve("d16")).parameterCount())
                .isEqualTo(108_948_355L);
    }

    @Test
    void sharedAlnReplacesPerBlockAdaLinWithAdaGss() {
        ModelConfig base = ModelConfigs.resolve("d16");
        ModelConfig shared =
                new ModelConfig(
                        "d16s",
                        base.vocabSize(),
                        base.zChannels(),
                        base.ch(),
                        base.chMult(),
                        base.shareQuantResi(),
                        base.quantResi(),
                        base.patchNums(),
                        base.depth(),
                        base.embedDim(),
                        base.numHeads(),
                        base.numClasses(),
                        true,
                        base.attnL2Norm(),
                        base.normEps(),
                        base.imageSize());
        StateDictLayout layout = StateDictLayout.var(shared);
        assertThat(layout.keys())
                .doesNotContain("blocks.0.ada_lin.1.weight")
                .contains("shared_ada_lin.1.weight", "shared_ada_lin.1.bias", "blocks.15.ada_gss");
        assertThat(layout.shape("blocks.3.ada_gss")).containsExactly(1, 1, 6, 1024);
        assertThat(layout.shape("shared_ada_lin.1.weight")).containsExactly(6 * 1024, 1024);
        // shared_ada_lin comes right after lvl_embed; ada_gss is each block's first entry (own
        // parameter).
        int lvl = layout.keys().indexOf("lvl_embed.weight");
        assertThat(layout.keys().get(lvl + 1)).isEqualTo("shared_ada_lin.1.weight");
        assertThat(layout.keys().get(layout.keys().indexOf("blocks.0.ada_gss") + 1))
                .isEqualTo("blocks.0.attn.scale_mul_1H11");
        long perBlockAdaLin = 6L * 1024 * 1024 + 6 * 1024;
        long adaGss = 6L * 1024;
        assertThat(layout.parameterCount())
                .isEqualTo(
                        StateDictLayout.var(base).parameterCount()
                                - 16 * perBlockAdaLin
                                + 16 * adaGss
                                + perBlockAdaLin);
    }

    @Test
    void tinyFixtureVerifiesAgainstTheTinyConfig() throws IOException {
        try (StateDict vae = Checkpoints.open(BundledFiles.path("varflow/tiny/vae.pth"));
                StateDict var = Checkpoints.open(BundledFiles.path("varflow/tiny/var.pth"))) {
            StateDictLayout.vqvae(TINY).verify(vae);
            StateDictLayout.var(TINY).verify(var);
            assertThat(var.keys()).containsExactlyElementsOf(StateDictLayout.var(TINY).keys());
        }
    }

    @Test
    void tinyFixtureFailsAgainstAnotherValidConfig() throws IOException {
        ModelConfig deeper =
                new ModelConfig(
                        "tiny3",
                        TINY.vocabSize(),
                        TINY.zChannels(),
                        TINY.ch(),
                        TINY.chMult(),
                        TINY.shareQuantResi(),
                        TINY.quantResi(),
                        TINY.patchNums(),
                        3,
                        192,
                        3,
                        TINY.numClasses(),
                        false,
                        true,
                        1e-6,
                        64);
        ModelConfig biggerVocab =
                new ModelConfig(
                        "tinyV",
                        128,
                        TINY.zChannels(),
                        TINY.ch(),
                        TINY.chMult(),
                        TINY.shareQuantResi(),
                        TINY.quantResi(),
                        TINY.patchNums(),
                        TINY.depth(),
                        TINY.embedDim(),
                        TINY.numHeads(),
                        TINY.numClasses(),
                        false,
                        true,
                        1e-6,
                        64);
        Path varFile = BundledFiles.path("varflow/tiny/var.pth");
        Path vaeFile = BundledFiles.path("varflow/tiny/vae.pth");
        try (StateDict vae = Checkpoints.open(vaeFile);
                StateDict var = Checkpoints.open(varFile)) {
            assertThatThrownBy(() -> StateDictLayout.var(deeper).verify(var))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(varFile.toString())
                    .hasMessageContaining("'pos_start'")
                    .hasMessageContaining("[1, 1, 192]")
                    .hasMessageContaining("[1, 1, 128]");
            assertThatThrownBy(() -> StateDictLayout.vqvae(biggerVocab).verify(vae))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(vaeFile.toString())
                    .hasMessageContaining("'quantize.embedding.weight'")
                    .hasMessageContaining("[128, 8]");
            // The VAR checkpoint is not a VQVAE at all.
            assertThatThrownBy(() -> StateDictLayout.vqvae(TINY).verify(var))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'encoder.conv_in.weight'")
                    .hasMessageContaining("missing");
        }
    }

    /**
     * Copies the tiny VAR checkpoint to safetensors, letting {@code edit} replace tensors on the
     * way.
     */
    private Path rewrittenTinyVar(String name, UnaryOperator<TensorData> edit) throws IOException {
        Path out = tmp.resolve(name);
        try (StateDict sd = Checkpoints.open(BundledFiles.path("varflow/tiny/var.pth"))) {
            List<TensorData> tensors = new ArrayList<>();
            for (String key : sd.keys()) {
                tensors.add(edit.apply(sd.get(key)));
            }
            SafetensorsWriter.write(tensors, Map.of(), out);
        }
        return out;
    }

    @Test
    void renamedKeyIsReportedAsMissingWithTheUnexpectedOne() throws IOException {
        Path file =
                rewrittenTinyVar(
                        "renamed.safetensors",
                        t ->
                                t.key().equals("blocks.1.ffn.fc2.bias")
                                        ? new TensorData(
                                                "blocks.1.ffn.fc2.b",
                                                t.dtype(),
                                                t.shape(),
                                                t.data())
                                        : t);
        try (StateDict sd = Checkpoints.open(file)) {
            assertThatThrownBy(() -> StateDictLayout.var(TINY).verify(sd))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("'blocks.1.ffn.fc2.bias'")
                    .hasMessageContaining("missing")
                    .hasMessageContaining("'blocks.1.ffn.fc2.b'");
        }
    }

    @Test
    void wrongShapeIsReportedWithExpectedAndActual() throws IOException {
        // head.weight (64, 128) reshaped to (128, 64): same bytes, wrong shape.
        Path file =
                rewrittenTinyVar(
                        "reshaped.safetensors",
                        t ->
                                t.key().equals("head.weight")
                                        ? new TensorData(
                                                t.key(), t.dtype(), new long[] {128, 64}, t.data())
                                        : t);
        try (StateDict sd = Checkpoints.open(file)) {
            assertThatThrownBy(() -> StateDictLayout.var(TINY).verify(sd))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("'head.weight'")
                    .hasMessageContaining("[64, 128]")
                    .hasMessageContaining("[128, 64]");
        }
    }

    @Test
    void extraKeyAndFloatIndexBufferAreRejected() throws IOException {
        Path extra = tmp.resolve("extra.safetensors");
        try (StateDict sd = Checkpoints.open(BundledFiles.path("varflow/tiny/var.pth"))) {
            List<TensorData> tensors = new ArrayList<>();
            for (String key : sd.keys()) {
                tensors.add(sd.get(key));
            }
            tensors.add(
                    new TensorData(
                            "optimizer.step",
                            TensorDType.INT64,
                            new long[] {1},
                            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)));
            SafetensorsWriter.write(tensors, Map.of(), extra);
        }
        try (StateDict sd = Checkpoints.open(extra)) {
            assertThatThrownBy(() -> StateDictLayout.var(TINY).verify(sd))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'optimizer.step'")
                    .hasMessageContaining("not part of");
        }
        Path floatLevels =
                rewrittenTinyVar(
                        "float_lvl.safetensors",
                        t -> {
                            if (!t.key().equals("lvl_1L")) {
                                return t;
                            }
                            ByteBuffer f =
                                    ByteBuffer.allocate((int) t.numel() * 4)
                                            .order(ByteOrder.LITTLE_ENDIAN);
                            ByteBuffer in = t.data();
                            while (in.hasRemaining()) {
                                f.putFloat(in.getLong());
                            }
                            return new TensorData(
                                    t.key(), TensorDType.FLOAT32, t.shape(), f.flip());
                        });
        try (StateDict sd = Checkpoints.open(floatLevels)) {
            assertThatThrownBy(() -> StateDictLayout.var(TINY).verify(sd))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'lvl_1L'")
                    .hasMessageContaining("int64");
        }
    }

    @Test
    void emaVocabHitBufferMayHaveAnyShape() throws IOException {
        Path vae = tmp.resolve("vae.safetensors");
        try (StateDict sd = Checkpoints.open(BundledFiles.path("varflow/tiny/vae.pth"))) {
            List<TensorData> tensors = new ArrayList<>();
            for (String key : sd.keys()) {
                TensorData t = sd.get(key);
                tensors.add(
                        key.equals(StateDictLayout.EMA_VOCAB_HIT)
                                ? new TensorData(
                                        key,
                                        TensorDType.FLOAT32,
                                        new long[] {1, 64},
                                        ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN))
                                : t);
            }
            SafetensorsWriter.write(tensors, Map.of(), vae);
        }
        try (StateDict sd = Checkpoints.open(vae)) {
            StateDictLayout.vqvae(TINY).verify(sd);
            assertThat(sd.get(StateDictLayout.EMA_VOCAB_HIT).shape()).containsExactly(1, 64);
        }
    }
}
