package io.varflow.model;

import java.util.Locale;

/**
 * Wall-clock time of the phases of {@link VarModel#generate(java.util.List, GenerationTimings)},
 * and of each scale (its transformer and sampling work), accumulated over calls. Filling it makes
 * the generator synchronise with the device at phase boundaries: two one-element read-backs per
 * scale on a GPU (about 20 per batch for d16, against thousands of kernels), nothing on the CPU.
 */
public final class GenerationTimings {

    private long transformerNanos;
    private long samplingNanos;
    private long decodeNanos;
    private long images;
    private long batches;
    // CPU time of the generating thread per phase: on the CPU with one intra-op thread this is the
    // phase's compute, unaffected by other processes competing for the cores (wall time is not).
    private long transformerCpuNanos;
    private long samplingCpuNanos;
    private long decodeCpuNanos;
    private long[] scaleNanos = new long[0];

    /**
     * CPU time of the calling thread in each phase (all work with one libtorch thread on the CPU).
     */
    public double transformerCpuMs() {
        return transformerCpuNanos / 1e6;
    }

    public double samplingCpuMs() {
        return samplingCpuNanos / 1e6;
    }

    public double decodeCpuMs() {
        return decodeCpuNanos / 1e6;
    }

    /** Blocks, head and next-scale input embedding, all scales. */
    public double transformerMs() {
        return transformerNanos / 1e6;
    }

    /** CFG mixing, top-k/top-p, drawing, codebook lookup and the f_hat update, all scales. */
    public double samplingMs() {
        return samplingNanos / 1e6;
    }

    /** VQVAE decoder and the read-back of tokens and pixels. */
    public double decodeMs() {
        return decodeNanos / 1e6;
    }

    public long images() {
        return images;
    }

    public long batches() {
        return batches;
    }

    public double totalMs() {
        return transformerMs() + samplingMs() + decodeMs();
    }

    /** Scales timed so far (the model's scale count once a batch has run). */
    public int scales() {
        return scaleNanos.length;
    }

    /** Transformer and sampling time of scale {@code si} (0 = 1x1), all batches. */
    public double scaleMs(int si) {
        return scaleNanos[si] / 1e6;
    }

    void addScale(int si, long nanos) {
        if (si >= scaleNanos.length) {
            scaleNanos = java.util.Arrays.copyOf(scaleNanos, si + 1);
        }
        scaleNanos[si] += nanos;
    }

    void addTransformer(long nanos, long cpuNanos) {
        transformerNanos += nanos;
        transformerCpuNanos += cpuNanos;
    }

    void addSampling(long nanos, long cpuNanos) {
        samplingNanos += nanos;
        samplingCpuNanos += cpuNanos;
    }

    void addDecode(long nanos, long cpuNanos) {
        decodeNanos += nanos;
        decodeCpuNanos += cpuNanos;
    }

    void addBatch(int size) {
        images += size;
        batches++;
    }

    /** Sets everything back to zero (e.g. after warm-up). */
    public void reset() {
        transformerNanos = 0;
        samplingNanos = 0;
        decodeNanos = 0;
        transformerCpuNanos = 0;
        samplingCpuNanos = 0;
        decodeCpuNanos = 0;
        images = 0;
        batches = 0;
        scaleNanos = new long[0];
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%d images in %d batches: transformer %.1f ms, sampling %.1f ms, decode %.1f ms",
                images,
                batches,
                transformerMs(),
                samplingMs(),
                decodeMs());
    }
}
