package io.varflow.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Classifier-free guidance and token sampling with the official semantics (VAR {@code helpers.py}),
 * every parameter per row so that one batch can mix settings; a batch whose rows share top-k and
 * top-p takes the cheaper {@link SharedMask} with the same result. All work stays on the device;
 * the only host input is the per-image uniforms already held by the {@link SamplingBatch}.
 *
 * <ul>
 *   <li>top-k: logits strictly below the k-th largest of their row become -inf (ties kept); k = 0
 *       keeps everything.
 *   <li>top-p: sort ascending, cumulative softmax mass; positions whose mass is &le; 1 - p are
 *       removed, the largest entry always stays. Implemented as a per-row probability pivot (the
 *       first kept sorted entry); it differs from the official positional mask only for values
 *       exactly tied with the pivot, which are kept here (the official sort breaks such ties
 *       arbitrarily).
 *   <li>draw: inverse CDF of softmax(masked logits) at the image's own uniform; greedy rows (top-k
 *       1) take the argmax.
 *   <li>smooth: gumbel-softmax over the masked logits times (1 + ratio) at temperature max(0.27 (1
 *       - 0.95 ratio), 0.005), mixed into a soft codebook embedding.
 * </ul>
 */
public final class TokenSampler {

    private TokenSampler() {}

    /**
     * CFG per image: (1 + t) cond - t uncond with t = cfg_b * si / (S-1).
     *
     * @param logits (2B, l, V): rows [0, B) conditional, [B, 2B) unconditional
     * @return (B, l, V)
     */
    public static NDArray guide(NDArray logits, SamplingBatch batch, int si) {
        int b = batch.size();
        NDArray cond = logits.get("0:{}", b);
        NDArray uncond = logits.get("{}:", b);
        return cond.mul(batch.cfgOnePlusT(si)).sub(uncond.mul(batch.cfgT(si)));
    }

    /**
     * Top-k with per-row k, given as the ascending-sorted index V - k of the k-th largest (B, 1,
     * 1).
     */
    public static NDArray maskTopK(NDArray logits, NDArray ascendingIndex, NDArray negInf) {
        Shape s = logits.getShape();
        NDArray sorted = logits.sort(-1);
        NDArray kth = sorted.gather(ascendingIndex.broadcast(new Shape(s.get(0), s.get(1), 1)), -1);
        return NDArrays.where(logits.gte(kth), logits, negInf);
    }

    /**
     * The same mask from a partial selection, as the official code does with {@code torch.topk}:
     * only the {@code maxK} largest of each row are found and ordered (descending), and row r's
     * k-th largest is taken at {@code descendingIndex[r] = k_r - 1}. The k-th largest value is the
     * same as from a full sort, so the mask is identical; the work is a partial selection instead
     * of a sort of V.
     */
    public static NDArray maskTopK(
            NDArray logits, NDArray descendingIndex, int maxK, NDArray negInf) {
        Shape s = logits.getShape();
        NDList top = logits.topK(maxK, -1, true, true);
        NDArray kth =
                top.get(0).gather(descendingIndex.broadcast(new Shape(s.get(0), s.get(1), 1)), -1);
        top.get(1).close(); // the indices are not needed
        return NDArrays.where(logits.gte(kth), logits, negInf);
    }

    /**
     * Top-p with per-row threshold 1 - p (B, 1, 1) in float32 (a negative threshold disables it).
     *
     * @param lastIndex V - 1 as an int64 scalar: the largest entry is always kept
     */
    public static NDArray maskTopP(
            NDArray logits, NDArray threshold, NDArray lastIndex, NDArray negInf) {
        NDArray probs = logits.softmax(-1);
        NDArray sortedProbs = probs.sort(-1);
        NDArray cumulative = sortedProbs.cumSum(-1);
        // torch sums a boolean mask by first copying it to int64 (a (B, l, V) copy, visible as
        // aten::_to_copy in a profile); the shared path counts over its window only.
        NDArray removed = cumulative.lte(threshold).sum(new int[] {-1}, true);
        NDArray pivot = sortedProbs.gather(removed.minimum(lastIndex), -1);
        return NDArrays.where(probs.gte(pivot), logits, negInf);
    }

    /**
     * One draw per token by inverse CDF: the first index whose cumulative probability exceeds
     * {@code u * total}, or the last token with mass should {@code u * total} reach the total (a
     * guard: for u &lt; 1 it stays below). Never returns a token of probability 0.
     *
     * @param logits masked logits (B, l, V)
     * @param uniforms (B, l) in [0, 1)
     * @param justBelowOne the float32 scalar 1 - 2^-24 ({@link SamplingBatch#justBelowOne})
     * @return token ids (B, l), int64
     */
    public static NDArray drawInverseCdf(NDArray logits, NDArray uniforms, NDArray justBelowOne) {
        NDArray cdf = logits.softmax(-1).cumSum(-1);
        long v = cdf.getShape().get(2);
        NDArray total = cdf.get(":, :, {}:", v - 1);
        NDArray target = uniforms.expandDims(2).mul(total);
        // The token is min(#{cdf <= target}, first index where the cdf reaches its total). The cdf
        // never decreases (torch's CPU cumsum adds non-negative terms in order), so that is the
        // first index whose cdf exceeds min(target, the float just below the total): one compare
        // and one argmax (first maximum) over bytes, instead of an int64 count and a float argmax.
        // For a positive normal float x, x * (1 - 2^-24) rounds to the float just below x.
        NDArray bound = target.minimum(total.mul(justBelowOne));
        return cdf.gt(bound).toType(DataType.UINT8, false).argMax(-1);
    }

    /** {@link #drawInverseCdf(NDArray, NDArray, NDArray)} for callers without a batch (tests). */
    public static NDArray drawInverseCdf(NDArray logits, NDArray uniforms) {
        try (NDArray factor = logits.getManager().create(SamplingBatch.JUST_BELOW_ONE)) {
            return drawInverseCdf(logits, uniforms, factor);
        }
    }

    /** Result of one scale's sampling: token ids and the masked logits (for the smooth mode). */
    public record Draw(NDArray tokens, NDArray maskedLogits) {}

    /**
     * Samples scale {@code si} ({@code start} = its first token position) from guided logits (B, l,
     * V) float32. When all rows share top-k and top-p the mask is applied to {@code guided} in
     * place (as the official sampler does), so callers must not reuse it.
     */
    public static Draw sample(NDArray guided, SamplingBatch batch, int si, int start) {
        if (batch.allGreedy()) {
            return new Draw(guided.argMax(-1), guided);
        }
        NDArray masked = sharedMask(guided, batch);
        if (masked == null) {
            masked = perRowMask(guided, batch);
        }
        int l = (int) guided.getShape().get(1);
        NDArray finalMask = masked;
        NDArray drawn =
                step(
                        () ->
                                drawInverseCdf(
                                        finalMask,
                                        batch.uniforms(start, start + l),
                                        batch.justBelowOne()));
        if (!batch.anyGreedy()) {
            return new Draw(drawn, masked);
        }
        NDArray greedy = guided.argMax(-1);
        NDArray tokens =
                NDArrays.where(batch.greedyRows().broadcast(greedy.getShape()), greedy, drawn);
        return new Draw(tokens, masked);
    }

    /**
     * The batch-wide mask when all rows share top-k and top-p ({@link SharedMask}), else null: rows
     * differ, or ties around the k-th largest overflow its window at this scale.
     */
    private static NDArray sharedMask(NDArray guided, SamplingBatch batch) {
        SharedMask shared = batch.sharedMask();
        if (shared == null) {
            return null;
        }
        NDArray masked;
        try (NDScope scope = new NDScope()) {
            masked = shared.apply(guided, batch.topPThreshold(), batch.negInf());
            if (masked != null) {
                NDScope.unregister(masked);
            }
        }
        if (masked != null) {
            NDScope.register(masked);
        }
        return masked;
    }

    /** Top-k then top-p with each row's own parameters. */
    private static NDArray perRowMask(NDArray guided, SamplingBatch batch) {
        // Each step in its own scope, so that only its (B, l, V) result outlives it: the sorts,
        // softmaxes and cumulative sums of one step are freed before the next allocates its own.
        NDArray masked = guided;
        if (batch.anyTopK()) {
            NDArray in = masked;
            masked =
                    step(
                            () ->
                                    batch.maxTopK() < guided.getShape().get(2)
                                            ? maskTopK(
                                                    in,
                                                    batch.topKDescendingIndex(),
                                                    batch.maxTopK(),
                                                    batch.negInf())
                                            : maskTopK(
                                                    in,
                                                    batch.topKAscendingIndex(),
                                                    batch.negInf()));
        }
        if (batch.anyTopP()) {
            NDArray in = masked;
            masked =
                    step(
                            () ->
                                    maskTopP(
                                            in,
                                            batch.topPThreshold(),
                                            batch.lastIndex(),
                                            batch.negInf()));
            if (in != guided) {
                in.close();
            }
        }
        return masked;
    }

    /**
     * Runs one sampling step in a nested scope; its result (never one of its inputs) joins the
     * caller's.
     */
    private static NDArray step(java.util.function.Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /**
     * The smooth mode's soft embedding for scale {@code si}: softmax((masked * (1 + ratio) + g) /
     * tau) @ codebook, (B, l, Cvae), computed for the smooth rows only, with gumbel noise g from
     * each smooth image's own stream; the other rows are zero (the caller keeps their hard lookup).
     *
     * @param codebook (V, Cvae) in the same precision as the logits
     */
    public static NDArray smoothEmbedding(
            NDArray maskedLogits, NDArray codebook, SamplingBatch batch, int si) {
        Shape s = maskedLogits.getShape();
        int l = (int) s.get(1);
        int v = (int) s.get(2);
        int[] rows = batch.smoothRowList();
        float[] noise = new float[rows.length * l * v];
        for (int i = 0; i < rows.length; i++) {
            batch.random(rows[i]).nextGumbel(noise, i * l * v, l * v);
        }
        NDArray gumbel =
                maskedLogits
                        .getManager()
                        .create(noise, new Shape(rows.length, l, v))
                        .toDevice(maskedLogits.getDevice(), false);
        NDArray smoothLogits = maskedLogits.get(batch.smoothRowIndex());
        NDArray soft =
                smoothLogits
                        .mul(batch.smoothLogitScale(si))
                        .add(gumbel)
                        .div(batch.smoothTau(si))
                        .softmax(-1)
                        .matMul(codebook);
        // Row nSmooth of the padded result is zero: every non-smooth row gathers it.
        NDArray padded = NDArrays.concat(new NDList(soft, soft.get("0:1").zerosLike()), 0);
        return padded.get(batch.smoothGatherIndex());
    }
}
