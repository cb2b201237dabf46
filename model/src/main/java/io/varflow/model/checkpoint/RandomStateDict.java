package io.varflow.model.checkpoint;

import io.varflow.model.config.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Random weights for any {@link StateDictLayout}, for benchmarks at the published sizes without the
 * multi-GB downloads. Nothing is held: every {@link #get} generates that one tensor (fp32) from the
 * seed and the key, so the same seed always gives the same bytes and a d30 "checkpoint" costs no
 * memory until a layer loads it.
 *
 * <p>Values keep activations of a forward pass finite and O(1), in the spirit of PyTorch's default
 * initialisation:
 *
 * <ul>
 *   <li>Linear/conv weights: uniform with standard deviation {@code 1/sqrt(fan_in)} ({@code fan_in}
 *       = product of all but the first dimension);
 *   <li>embeddings and position tables ({@code pos_start}, {@code pos_1LC}, {@code class_emb},
 *       {@code lvl_embed}, the codebook): standard deviation 0.02; {@code ada_gss}: {@code
 *       1/sqrt(C)};
 *   <li>GroupNorm weights 1, all biases 0 ({@code q_bias}, {@code v_bias}, {@code zero_k_bias}
 *       too);
 *   <li>{@code scale_mul_1H11} = ln 4 (the official init); {@code lvl_1L} and {@code
 *       attn_bias_for_masking} hold their real values (scale index, block-causal 0/-inf mask).
 * </ul>
 *
 * Uniform noise with the stated standard deviation (half-width {@code std * sqrt(3)}) is used
 * instead of Gaussian because it is several times faster to generate (d30 has 2 billion weights).
 */
public final class RandomStateDict implements StateDict {

    private static final float EMBEDDING_STD = 0.02f;

    private final StateDictLayout layout;
    private final long seed;

    public RandomStateDict(StateDictLayout layout, long seed) {
        this.layout = layout;
        this.seed = seed;
    }

    public static RandomStateDict vqvae(ModelConfig config, long seed) {
        return new RandomStateDict(StateDictLayout.vqvae(config), seed);
    }

    public static RandomStateDict var(ModelConfig config, long seed) {
        return new RandomStateDict(StateDictLayout.var(config), seed);
    }

    public StateDictLayout layout() {
        return layout;
    }

    @Override
    public Path source() {
        return Path.of("random-weights", layout.name() + "-seed" + seed);
    }

    @Override
    public List<String> keys() {
        return layout.keys();
    }

    @Override
    public boolean contains(String key) {
        return layout.keys().contains(key);
    }

    @Override
    public TensorData get(String key) throws CheckpointException {
        if (!contains(key)) {
            throw new CheckpointException(source(), "key '" + key + "' is missing");
        }
        StateDictLayout.Entry entry = layout.entry(key);
        long[] shape = entry.shape();
        int n = Math.toIntExact(entry.numel());
        if (entry.kind() == StateDictLayout.Kind.INT64) {
            ByteBuffer data = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
            int[] levels = scaleOfToken(layout.config());
            for (int i = 0; i < n; i++) {
                data.putLong(levels[i % levels.length]);
            }
            return new TensorData(key, TensorDType.INT64, shape, data.flip());
        }
        float[] values = new float[n];
        fill(key, shape, values);
        ByteBuffer data = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return new TensorData(key, TensorDType.FLOAT32, shape, data);
    }

    private void fill(String key, long[] shape, float[] values) {
        if (key.equals("attn_bias_for_masking")) {
            int[] levels = scaleOfToken(layout.config());
            int tokens = levels.length;
            for (int i = 0; i < tokens; i++) {
                for (int j = 0; j < tokens; j++) {
                    values[i * tokens + j] = levels[j] <= levels[i] ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
        } else if (key.endsWith("scale_mul_1H11")) {
            java.util.Arrays.fill(values, (float) Math.log(4.0));
        } else if (key.endsWith("bias") || key.equals(StateDictLayout.EMA_VOCAB_HIT)) {
            return; // zeros
        } else if (isNormWeight(key)) {
            java.util.Arrays.fill(values, 1f);
        } else if (key.endsWith("ada_gss")) {
            uniform(key, values, (float) (1 / Math.sqrt(shape[shape.length - 1])));
        } else if (key.startsWith("pos_")
                || key.endsWith("_emb.weight")
                || key.endsWith("embed.weight") && !key.equals("word_embed.weight")
                || key.equals("quantize.embedding.weight")) {
            uniform(key, values, EMBEDDING_STD);
        } else {
            long fanIn = 1;
            for (int d = 1; d < shape.length; d++) {
                fanIn *= shape[d];
            }
            uniform(key, values, (float) (1 / Math.sqrt(fanIn)));
        }
    }

    private static boolean isNormWeight(String key) {
        return key.endsWith(".weight")
                && (key.contains(".norm1.")
                        || key.contains(".norm2.")
                        || key.contains(".norm.")
                        || key.contains("norm_out."));
    }

    /**
     * Fills with uniform noise of standard deviation {@code std}, from a SplitMix64 stream of
     * (seed, key).
     */
    private void uniform(String key, float[] values, float std) {
        long state = mix(seed ^ mix(key.hashCode() * 0x9E3779B97F4A7C15L + key.length()));
        float halfWidth = std * (float) Math.sqrt(3.0);
        float scale = 2 * halfWidth / (1 << 24);
        for (int i = 0; i < values.length; i += 2) {
            state += 0x9E3779B97F4A7C15L;
            long bits = mix(state);
            values[i] = (int) (bits >>> 40) * scale - halfWidth;
            if (i + 1 < values.length) {
                values[i + 1] = (int) ((bits >>> 8) & 0xFFFFFF) * scale - halfWidth;
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** {@code lvl_1L}: the scale index of every token of the concatenated multi-scale sequence. */
    static int[] scaleOfToken(ModelConfig config) {
        int[] levels = new int[config.totalTokens()];
        for (int si = 0; si < config.numScales(); si++) {
            int pn = config.patchNums().get(si);
            java.util.Arrays.fill(
                    levels, config.tokenOffset(si), config.tokenOffset(si) + pn * pn, si);
        }
        return levels;
    }

    @Override
    public void close() {
        // Nothing is held.
    }
}
