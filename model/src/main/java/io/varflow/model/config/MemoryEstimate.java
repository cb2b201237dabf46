package io.varflow.model.config;

import io.varflow.model.RuntimeOptions.Precision;
import io.varflow.model.checkpoint.StateDictLayout;

/**
 * Device memory needed to generate with a VQVAE + VAR pair, so that batches can be sized to a
 * memory budget. An estimate of the dominant terms, checked against measured CPU peaks ({@code
 * varflow bench} prints estimate vs measured per image; docs/performance.md). With {@code b} the
 * bytes per element of the precision (4 fp32, 2 fp16/bf16), {@code D} depth, {@code C} embed_dim,
 * {@code L} total tokens, {@code l} tokens of the last scale, {@code V} vocab:
 *
 * <pre>
 * weights        = (VAR + VQVAE tensors, all but quantize.ema_vocab_hit_SV) * b   (int64 buffers: 8 bytes)
 * kvCache        = 2 (K,V) * D * 2 (CFG) * L * C * b
 * attention      = 2 (CFG) * l * C * b   (fused attention: only its output; the weights are never stored)
 * ffn            = 2 (CFG) * l * 4C * b  (the hidden activation: fc1 and its GELU are one kernel)
 * qkv            = 2 (qkv + normalised q, k) * 2 (CFG) * l * 3C * b
 * logits         = (2 (CFG logits) + 10 (arrays of the largest sampling step)) * l * V * 4   (sampling in fp32)
 * decoder        = 5 (live maps around a ResBlock conv) * max over levels i of ch*ch_mult[i] * (S / 2^max(i-1, 0))^2 * b
 *                  (level i's last map is its upsampled output, at the side S / 2^(i-1) of level i-1)
 * transformer    = kvCache + max(attention + ffn + qkv, logits)
 *                  (one block's temporaries are freed before the next block and before sampling)
 * perImage       = 1.05 (allocator slack) * max(transformer, decoder)   (the KV cache is released before
 *                  the VQVAE decodes; freed blocks are not always reusable for the next sizes, measured
 *                  on the CPU as ~5 % above the live arrays)
 * maxBatch       = floor((budget - weights) / perImage)
 * </pre>
 *
 * For d16 at fp32 the KV cache alone is 178 MB per image (VAR_SPEC §2). Callers should pass as
 * budget the free device memory less a margin for the allocator and the engine (10-20 %).
 */
public final class MemoryEstimate {

    /**
     * Live feature maps of the VQVAE decoder at its largest resolution: the block input, the
     * normalised and activated map, the convolution's output, the residual sum and the
     * up-sampling's parity maps beside its result. Calibrated against measured peaks (the tiny
     * config, whose decoder dominates).
     */
    static final int DECODER_LIVE_MAPS = 5;

    /**
     * (B, l, V) float32 arrays alive in the largest sampling step (guided logits, the previous
     * mask, and top-p's softmax, sort, cumulative sum, comparison and result; int64 ones count
     * twice). Each step runs in its own scope, so earlier steps' temporaries are gone.
     */
    static final int SAMPLING_LIVE_ARRAYS = 10;

    /**
     * Resident memory above the live arrays (allocator fragmentation), in percent, measured on the
     * CPU.
     */
    static final int ALLOCATOR_SLACK_PERCENT = 5;

    private MemoryEstimate() {}

    /** Per-image terms of the estimate, in bytes. */
    public record Breakdown(
            long kvCache, long attention, long ffn, long qkv, long logits, long decoder) {

        /**
         * Transformer phase: cache plus the larger of one block's temporaries and the sampling's.
         */
        public long transformer() {
            return kvCache + Math.max(attention + ffn + qkv, logits);
        }

        public long perImage() {
            return Math.max(transformer(), decoder) / 100 * (100 + ALLOCATOR_SLACK_PERCENT);
        }
    }

    public static int bytesPerElement(Precision precision) {
        return precision == Precision.FP32 ? 4 : 2;
    }

    /** Bytes of the VAR and VQVAE weights held on the device in {@code precision}. */
    public static long weightBytes(ModelConfig config, Precision precision) {
        long bytes = 0;
        int b = bytesPerElement(precision);
        for (StateDictLayout layout :
                new StateDictLayout[] {
                    StateDictLayout.var(config), StateDictLayout.vqvae(config)
                }) {
            for (StateDictLayout.Entry e : layout.entries()) {
                if (e.anyShape()) {
                    continue;
                }
                bytes += e.numel() * (e.kind() == StateDictLayout.Kind.INT64 ? 8 : b);
            }
        }
        return bytes;
    }

    public static Breakdown breakdown(ModelConfig config, Precision precision) {
        long b = bytesPerElement(precision);
        long depth = config.depth();
        long c = config.embedDim();
        long total = config.totalTokens();
        long last = (long) config.finalPatch() * config.finalPatch();
        long kv = 2 * depth * 2 * total * c * b;
        long attention = 2 * last * c * b;
        long ffn = 2 * last * ModelConfig.MLP_RATIO * c * b;
        long qkv = 2 * 2 * last * 3 * c * b;
        long logits = (2 + SAMPLING_LIVE_ARRAYS) * last * config.vocabSize() * 4L;
        long largestMap = 0;
        for (int level = 0; level < config.chMult().size(); level++) {
            long side = config.imageSize() >> Math.max(level - 1, 0);
            largestMap =
                    Math.max(
                            largestMap,
                            (long) config.ch() * config.chMult().get(level) * side * side);
        }
        long decoder = DECODER_LIVE_MAPS * largestMap * b;
        return new Breakdown(kv, attention, ffn, qkv, logits, decoder);
    }

    /** Device bytes one more image adds to a generation batch. */
    public static long bytesPerImage(ModelConfig config, Precision precision) {
        return breakdown(config, precision).perImage();
    }

    /**
     * The largest batch whose weights and per-image memory fit {@code budgetBytes}; 0 when not even
     * the weights fit.
     */
    public static int maxBatch(ModelConfig config, Precision precision, long budgetBytes) {
        long free = budgetBytes - weightBytes(config, precision);
        if (free <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, free / bytesPerImage(config, precision));
    }
}
