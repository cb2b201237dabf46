package io.varflow.pipeline.cli;

import io.varflow.model.SamplingParams;
import picocli.CommandLine.Option;

/**
 * {@code --cfg}, {@code --top-k}, {@code --top-p} and {@code --smooth} of the commands that sample
 * in-process. The defaults are the model's official FID setting, {@link SamplingParams#FID}: the
 * one place they are written (picocli shows a field's initial value as its default).
 */
final class SamplingOptions {

    @Option(
            names = "--cfg",
            paramLabel = "X",
            description = "Classifier-free guidance (default: ${DEFAULT-VALUE}).")
    double cfg = SamplingParams.FID.cfg();

    @Option(
            names = "--top-k",
            paramLabel = "K",
            description = "Top-k; 1 is greedy, 0 disables (default: ${DEFAULT-VALUE}).")
    int topK = SamplingParams.FID.topK();

    @Option(
            names = "--top-p",
            paramLabel = "P",
            description = "Top-p; 0 disables (default: ${DEFAULT-VALUE}).")
    double topP = SamplingParams.FID.topP();

    @Option(
            names = "--smooth",
            description =
                    "The official more_smooth (gumbel-softmax) mode, for pictures, not for FID.")
    boolean smooth = SamplingParams.FID.smooth();

    /** The flags as one value; an out-of-range value is a usage error naming it. */
    SamplingParams params() {
        return new SamplingParams(cfg, topK, topP, smooth);
    }
}
