package io.varflow.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import java.io.IOException;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class RandomStateDictTest {

    private static final ModelConfig TINY = StateDictLayoutTest.TINY;

    private static float[] floats(TensorData t) {
        FloatBuffer b = t.data().asFloatBuffer();
        float[] values = new float[b.remaining()];
        b.get(values);
        return values;
    }

    @Test
    void randomWeightsPassVerificationForTinyAndD16() throws IOException {
        try (RandomStateDict var = RandomStateDict.var(TINY, 1);
                RandomStateDict vae = RandomStateDict.vqvae(TINY, 1)) {
            var.layout().verify(var);
            vae.layout().verify(vae);
        }
        try (RandomStateDict d16 = RandomStateDict.var(ModelConfigs.resolve("d16"), 7)) {
            StateDictLayout.var(ModelConfigs.resolve("d16")).verify(d16);
        }
    }

    @Test
    void sameSeedGivesSameBytesAndOtherSeedsOrKeysDiffer() throws IOException {
        RandomStateDict a = RandomStateDict.var(TINY, 42);
        RandomStateDict b = RandomStateDict.var(TINY, 42);
        RandomStateDict c = RandomStateDict.var(TINY, 43);
        assertThat(a.get("blocks.0.ffn.fc1.weight").data())
                .isEqualTo(b.get("blocks.0.ffn.fc1.weight").data());
        assertThat(floats(a.get("blocks.0.ffn.fc1.weight")))
                .isNotEqualTo(floats(c.get("blocks.0.ffn.fc1.weight")));
        float[] block0 = floats(a.get("blocks.0.attn.proj.weight"));
        float[] block1 = floats(a.get("blocks.1.attn.proj.weight"));
        assertThat(block0).isNotEqualTo(block1);
    }

    @Test
    void weightsHaveTheDocumentedScale() throws IOException {
        RandomStateDict var = RandomStateDict.var(ModelConfigs.resolve("d16"), 3);
        float[] fc1 = floats(var.get("blocks.2.ffn.fc1.weight")); // (4096, 1024): std 1/32
        double mean = 0;
        double sq = 0;
        for (float v : fc1) {
            mean += v;
            sq += (double) v * v;
        }
        mean /= fc1.length;
        double std = Math.sqrt(sq / fc1.length - mean * mean);
        assertThat(mean).isCloseTo(0, within(1e-4));
        assertThat(std).isCloseTo(1 / 32.0, within(1e-4));
        float[] cls = floats(var.get("class_emb.weight"));
        double clsSq = 0;
        for (float v : cls) {
            clsSq += (double) v * v;
        }
        assertThat(Math.sqrt(clsSq / cls.length)).isCloseTo(0.02, within(1e-3));
        assertThat(floats(var.get("blocks.0.attn.q_bias"))).containsOnly(0f);
        assertThat(floats(var.get("blocks.0.attn.scale_mul_1H11")))
                .containsOnly((float) Math.log(4));
    }

    @Test
    void normsAreIdentityAndBuffersHoldTheirRealValues() throws IOException {
        RandomStateDict vae = RandomStateDict.vqvae(TINY, 0);
        assertThat(floats(vae.get("decoder.norm_out.weight"))).containsOnly(1f);
        assertThat(floats(vae.get("decoder.norm_out.bias"))).containsOnly(0f);
        assertThat(floats(vae.get("encoder.mid.attn_1.norm.weight"))).containsOnly(1f);

        // The random VAR's buffers equal the ones torch saved in the fixture.
        RandomStateDict var = RandomStateDict.var(TINY, 0);
        try (StateDict fixture = Checkpoints.open(BundledFiles.path("varflow/tiny/var.pth"))) {
            for (String key :
                    new String[] {"lvl_1L", "attn_bias_for_masking", "blocks.1.attn.zero_k_bias"}) {
                assertThat(var.get(key).data()).as(key).isEqualTo(fixture.get(key).data());
            }
        }
    }
}
