package io.varflow.model.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.varflow.model.RuntimeOptions;
import java.nio.file.Path;

/**
 * libtorch's own profiler around the measured batches of a benchmark: every operator with its input
 * shapes and time, written as a Chrome trace (open it in Perfetto or chrome://tracing, or sum it
 * per operator with tools/compare-official/op_table.py). Profiling adds a little time per operator,
 * so a profiled run's figures are slightly slower than an unprofiled one's.
 */
final class OperatorProfile {

    private final Path file; // null: not profiling

    private OperatorProfile(Path file) {
        this.file = file;
    }

    static OperatorProfile start(Benchmark.Settings settings) {
        if (settings.profile() != null) {
            boolean cuda = settings.options().device() == RuntimeOptions.Device.GPU;
            JniUtils.startProfile(cuda, true, false);
        }
        return new OperatorProfile(settings.profile());
    }

    void stop() {
        if (file != null) {
            JniUtils.stopProfile(file.toAbsolutePath().toString());
        }
    }
}
