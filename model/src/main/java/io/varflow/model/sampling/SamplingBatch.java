package io.varflow.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.ImageTask;
import io.varflow.model.SamplingParams;
import io.varflow.model.config.ModelConfig;
import java.util.List;

/**
 * Per-image sampling parameters of one batch as device tensors, built once per batch so that the
 * scale loop never uploads a Java number: CFG weights for every scale, top-k / top-p per row, which
 * rows are greedy or smooth, and every image's token uniforms (see {@link ImageRandom}).
 *
 * <p>All tensors are created on the manager given to {@link #create}; close that manager (or this)
 * to free them.
 */
public final class SamplingBatch implements AutoCloseable {

    /** 1 - 2^-24, the largest float32 below 1. */
    static final float JUST_BELOW_ONE = Math.nextDown(1f);

    private final int batch;
    private final int vocab;
    private final int numScales;
    private final List<ImageTask> tasks;
    private final NDArray cfgOnePlusT;
    private final NDArray cfgT;
    private final NDArray topKAscendingIndex;

    /** k - 1 per row (B, 1, 1): the k-th largest among the {@link #maxTopK} largest, descending. */
    private final NDArray topKDescendingIndex;

    private final int maxTopK;
    private final NDArray topPThreshold;
    private final NDArray greedyRows;
    private final NDArray smoothRows;
    private final NDArray uniforms;
    private final NDArray lastIndex;
    private final NDArray negInf;
    private final NDArray justBelowOne;

    /** Batch rows of the smooth images, (nSmooth,) int64; null without smooth rows. */
    private final NDArray smoothRowIndex;

    /**
     * For every batch row its position among the smooth rows, or nSmooth (a zero row) otherwise,
     * (B,).
     */
    private final NDArray smoothGatherIndex;

    private final int[] smoothRowList;
    private final NDArray[] smoothLogitScale;
    private final NDArray[] smoothTau;
    private final ImageRandom[] randoms;
    private final boolean allGreedy;
    private final boolean anyTopK;
    private final boolean anyTopP;
    private final boolean anySmooth;
    private final boolean anyGreedy;

    /** The mask shared by all rows when they use one top-k and one top-p; null otherwise. */
    private final SharedMask sharedMask;

    private SamplingBatch(NDManager m, ModelConfig config, List<ImageTask> tasks) {
        this.tasks = List.copyOf(tasks);
        this.batch = tasks.size();
        this.vocab = config.vocabSize();
        this.numScales = config.numScales();
        int total = config.totalTokens();
        float[] onePlusT = new float[numScales * batch];
        float[] t = new float[numScales * batch];
        long[] ascIndex = new long[batch];
        long[] descIndex = new long[batch];
        int largestK = 1;
        float[] threshold = new float[batch];
        boolean[] greedy = new boolean[batch];
        boolean[] smooth = new boolean[batch];
        float[] u = new float[batch * total];
        randoms = new ImageRandom[batch];
        boolean everyGreedy = true;
        boolean topK = false;
        boolean topP = false;
        boolean smoothing = false;
        boolean anyGreedyRow = false;
        boolean sameMask = true;
        for (int b = 0; b < batch; b++) {
            SamplingParams p = tasks.get(b).sampling();
            for (int si = 0; si < numScales; si++) {
                double w = p.cfg() * ratio(si, numScales);
                t[si * batch + b] = (float) w;
                onePlusT[si * batch + b] = (float) (1 + w);
            }
            int k = p.topK() <= 0 ? vocab : Math.min(p.topK(), vocab);
            ascIndex[b] = vocab - k;
            descIndex[b] = k - 1;
            largestK = Math.max(largestK, k);
            topK |= k < vocab;
            boolean nucleus = p.topP() > 0 && p.topP() < 1;
            // Official: remove sorted positions whose ascending cumulative mass is <= 1 - p
            // (compared in float32).
            threshold[b] = nucleus ? (float) (1 - p.topP()) : -1f;
            topP |= nucleus;
            greedy[b] = k == 1;
            anyGreedyRow |= greedy[b];
            sameMask &= ascIndex[b] == ascIndex[0] && threshold[b] == threshold[0];
            smooth[b] = p.smooth();
            smoothing |= p.smooth();
            everyGreedy &= greedy[b] && !smooth[b];
            randoms[b] = new ImageRandom(tasks.get(b).seed());
            System.arraycopy(randoms[b].tokenUniforms(total), 0, u, b * total, total);
        }
        this.allGreedy = everyGreedy;
        this.anyTopK = topK;
        this.anyTopP = topP;
        this.anySmooth = smoothing;
        this.anyGreedy = anyGreedyRow;
        int sharedK = vocab - (int) ascIndex[0];
        this.sharedMask =
                sameMask && sharedK > 1 && sharedK < vocab
                        ? SharedMask.create(m, sharedK, vocab, topP)
                        : null;
        cfgOnePlusT = m.create(onePlusT, new Shape(numScales, batch, 1, 1));
        cfgT = m.create(t, new Shape(numScales, batch, 1, 1));
        topKAscendingIndex = m.create(ascIndex, new Shape(batch, 1, 1));
        topKDescendingIndex = m.create(descIndex, new Shape(batch, 1, 1));
        maxTopK = largestK;
        topPThreshold = m.create(threshold, new Shape(batch, 1, 1));
        greedyRows = m.create(greedy, new Shape(batch, 1));
        smoothRows = m.create(smooth, new Shape(batch, 1, 1, 1));
        uniforms = m.create(u, new Shape(batch, total));
        lastIndex = m.create((long) vocab - 1);
        negInf = m.create(Float.NEGATIVE_INFINITY);
        justBelowOne = m.create(JUST_BELOW_ONE);
        smoothLogitScale = new NDArray[numScales];
        smoothTau = new NDArray[numScales];
        smoothRowList = java.util.stream.IntStream.range(0, batch).filter(b -> smooth[b]).toArray();
        long[] gather = new long[batch];
        long[] rows = new long[smoothRowList.length];
        java.util.Arrays.fill(gather, smoothRowList.length);
        for (int i = 0; i < smoothRowList.length; i++) {
            rows[i] = smoothRowList[i];
            gather[smoothRowList[i]] = i;
        }
        smoothRowIndex = anySmooth ? m.create(rows) : null;
        smoothGatherIndex = anySmooth ? m.create(gather) : null;
        if (anySmooth) {
            for (int si = 0; si < numScales; si++) {
                double r = ratio(si, numScales);
                smoothLogitScale[si] = m.create((float) (1 + r));
                smoothTau[si] = m.create((float) Math.max(0.27 * (1 - 0.95 * r), 0.005));
            }
        }
    }

    /** si / (S - 1), the official "ratio" of a scale (0 for a single-scale model). */
    public static double ratio(int si, int numScales) {
        return numScales <= 1 ? 0 : (double) si / (numScales - 1);
    }

    /** Builds the batch's tensors on {@code manager} (the generation's manager). */
    public static SamplingBatch create(
            NDManager manager, ModelConfig config, List<ImageTask> tasks) {
        return new SamplingBatch(manager, config, tasks);
    }

    public int size() {
        return batch;
    }

    public int vocab() {
        return vocab;
    }

    public List<ImageTask> tasks() {
        return tasks;
    }

    /** (1 + t) per row at scale si, (B, 1, 1). */
    NDArray cfgOnePlusT(int si) {
        return cfgOnePlusT.get(si);
    }

    /** t = cfg * si / (S-1) per row at scale si, (B, 1, 1). */
    NDArray cfgT(int si) {
        return cfgT.get(si);
    }

    NDArray topKAscendingIndex() {
        return topKAscendingIndex;
    }

    NDArray topKDescendingIndex() {
        return topKDescendingIndex;
    }

    /** The largest k of the batch (V for a row without top-k). */
    int maxTopK() {
        return maxTopK;
    }

    NDArray topPThreshold() {
        return topPThreshold;
    }

    NDArray greedyRows() {
        return greedyRows;
    }

    /** Rows in smooth mode, (B, 1, 1, 1). */
    public NDArray smoothRows() {
        return smoothRows;
    }

    /** Token uniforms of positions [start, end), (B, end - start). */
    NDArray uniforms(int start, int end) {
        return uniforms.get(new ai.djl.ndarray.index.NDIndex(":, {}:{}", start, end));
    }

    NDArray lastIndex() {
        return lastIndex;
    }

    NDArray negInf() {
        return negInf;
    }

    /** 1 - 2^-24 as a float32 scalar: times a float, the float just below it. */
    NDArray justBelowOne() {
        return justBelowOne;
    }

    NDArray smoothLogitScale(int si) {
        return smoothLogitScale[si];
    }

    NDArray smoothTau(int si) {
        return smoothTau[si];
    }

    /** The smooth rows' batch indices, in order, (nSmooth,) int64. */
    NDArray smoothRowIndex() {
        return smoothRowIndex;
    }

    /** Per batch row, its index among the smooth rows or nSmooth for the others, (B,) int64. */
    NDArray smoothGatherIndex() {
        return smoothGatherIndex;
    }

    /** The smooth rows' batch indices on the host. */
    int[] smoothRowList() {
        return smoothRowList.clone();
    }

    ImageRandom random(int row) {
        return randoms[row];
    }

    boolean isSmooth(int row) {
        return tasks.get(row).sampling().smooth();
    }

    public boolean allGreedy() {
        return allGreedy;
    }

    public boolean anyTopK() {
        return anyTopK;
    }

    public boolean anyTopP() {
        return anyTopP;
    }

    public boolean anySmooth() {
        return anySmooth;
    }

    /** Whether some row takes the argmax (top-k 1). */
    boolean anyGreedy() {
        return anyGreedy;
    }

    /** The mask all rows share (one top-k &lt; V, one top-p), or null when rows differ. */
    SharedMask sharedMask() {
        return sharedMask;
    }

    @Override
    public void close() {
        for (NDArray a :
                new NDArray[] {
                    cfgOnePlusT,
                    cfgT,
                    topKAscendingIndex,
                    topKDescendingIndex,
                    topPThreshold,
                    greedyRows,
                    smoothRows,
                    uniforms,
                    lastIndex,
                    negInf,
                    justBelowOne
                }) {
            a.close();
        }
        if (sharedMask != null) {
            sharedMask.close();
        }
        for (int si = 0; si < numScales; si++) {
            if (smoothLogitScale[si] != null) {
                if (si == 0) {
                    smoothRowIndex.close();
                    smoothGatherIndex.close();
                }
                smoothLogitScale[si].close();
                smoothTau[si].close();
            }
        }
    }
}
