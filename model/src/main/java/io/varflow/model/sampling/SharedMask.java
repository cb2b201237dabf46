package io.varflow.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The top-k (and top-p) mask of a batch whose rows all share one k &lt; V (and one p): the common
 * case of an evaluation set or a dataset job. It gives bit for bit the masked logits of the per-row
 * path ({@link TokenSampler#maskTopK} then {@link TokenSampler#maskTopP}) with less work: the k-th
 * largest logit comes from one selection (unsorted when top-p is off, as the official code does),
 * and top-p sorts only the probabilities of a window of the W largest logits instead of all V.
 *
 * <p>Why the window is exact: after top-k every logit outside the window has probability exactly 0
 * (exp(-inf)) as long as the window's smallest logit is below the k-th largest, i.e. fewer than W -
 * k logits tie with the k-th largest. The row's ascending sorted probabilities are then V - W zeros
 * followed by the sorted window. Torch's CPU cumsum adds sequentially from 0, so over leading zeros
 * it stays exactly 0 and the window's cumulative sums equal the tail of the full row's: the removed
 * count and the pivot follow from the window alone. (A device whose cumsum is a parallel scan may
 * round the window's sums differently in the last bit; the semantics are the same.) The window's
 * probabilities are sorted, not just taken in logit order, because softmax's vectorised exp need
 * not be monotone to the last bit. A scale with more ties than the window holds makes {@link
 * #apply} return null, and the caller masks that scale per row. On a GPU the window is the whole
 * row, so no scale needs that check (or its read-back).
 */
final class SharedMask implements AutoCloseable {

    /**
     * Spare room in the window for logits tied with the k-th largest; small, since the selection's
     * cost grows with the window.
     */
    static final int TIE_MARGIN = 32;

    private final int k;
    private final int window;
    private final boolean topP;

    /** W - 1 as an int64 scalar: the pivot index never passes the window's largest entry. */
    private final NDArray windowLast;

    private SharedMask(NDManager manager, int k, int vocab, boolean topP) {
        this.k = k;
        this.topP = topP;
        // On a GPU the window is the whole row: the tie check below reads a value back to the host,
        // which would stall the device once per scale, while a full sort costs a GPU little.
        int margin = manager.getDevice().isGpu() ? vocab : TIE_MARGIN;
        this.window = topP ? (int) Math.min(vocab, (long) k + margin) : k;
        this.windowLast = manager.create((long) window - 1);
    }

    /**
     * The shared mask for rows that all use top-k {@code k} (1 &lt; k &lt; V) and the same top-p
     * (on or off).
     */
    static SharedMask create(NDManager manager, int k, int vocab, boolean topP) {
        if (k <= 1 || k >= vocab) {
            throw new IllegalArgumentException("shared top-k needs 1 < k < V, got " + k);
        }
        return new SharedMask(manager, k, vocab, topP);
    }

    /**
     * Masks guided logits (B, l, V) float32 in place, as the official sampler does (unless it
     * returns null).
     *
     * @param threshold 1 - p per row (B, 1, 1), the same for every row; ignored without top-p
     * @return the masked logits, or null when ties around the k-th largest overflow the window (the
     *     caller then masks per row)
     */
    NDArray apply(NDArray logits, NDArray threshold, NDArray negInf) {
        if (!topP) {
            // The k-th largest is the minimum of the k largest, whatever their order.
            NDList top = logits.topK(k, -1, true, false);
            NDArray kth = top.get(0).min(new int[] {-1}, true);
            top.get(1).close();
            return MaskedFill.fill(logits, logits.lt(kth), negInf);
        }
        long v = logits.getShape().get(2);
        // Descending: the k-th largest sits at k - 1, and the window's probabilities come out
        // nearly sorted, which the sort below handles fastest.
        NDList top = logits.topK(window, -1, true, true);
        NDArray kth = top.get(0).get(":, :, {}:{}", k - 1, k);
        if (window < v) {
            // The window's smallest logit equal to the k-th largest: ties may lie outside it.
            NDArray smallest = top.get(0).get(":, :, {}:", window - 1);
            if (smallest.gte(kth).any().getBoolean()) {
                return null;
            }
        }
        NDArray masked = MaskedFill.fill(logits, logits.lt(kth), negInf);
        NDArray probs = masked.softmax(-1);
        NDArray sorted = probs.gather(top.get(1), -1).sort(-1);
        NDArray cumulative = sorted.cumSum(-1);
        NDArray removed = cumulative.lte(threshold).sum(new int[] {-1}, true);
        NDArray pivot = sorted.gather(removed.minimum(windowLast), -1);
        return MaskedFill.fill(masked, probs.lt(pivot), negInf);
    }

    @Override
    public void close() {
        windowLast.close();
    }
}
