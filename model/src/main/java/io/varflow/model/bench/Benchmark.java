package io.varflow.model.bench;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import io.varflow.model.GenerationTimings;
import io.varflow.model.ImageTask;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Generation throughput of a config with random weights: builds the model, warms up, runs N batches
 * of class-conditional generation and reports images/s, the time per batch split into transformer /
 * sampling / decode, and peak memory.
 */
public final class Benchmark {

    /**
     * What to measure; {@code profile}, when not null, receives libtorch's operator profile of the
     * measured batches (Chrome trace JSON).
     */
    public record Settings(
            ModelConfig config,
            RuntimeOptions options,
            int batch,
            int warmupBatches,
            int batches,
            SamplingParams sampling,
            long seed,
            Path profile) {

        public Settings {
            if (batch < 1 || batches < 1 || warmupBatches < 0) {
                throw new IllegalArgumentException(
                        "batch and batches must be >= 1 and warm-up >= 0, got batch "
                                + batch
                                + ", batches "
                                + batches
                                + ", warm-up "
                                + warmupBatches);
            }
        }
    }

    /** What was measured; times are wall-clock means per batch after warm-up. */
    public record Result(
            Settings settings,
            String device,
            double loadSeconds,
            double imagesPerSecond,
            double msPerBatch,
            double transformerMs,
            double samplingMs,
            double decodeMs,
            double transformerCpuMs,
            double samplingCpuMs,
            double decodeCpuMs,
            double cpuMsPerBatch,
            String peakMemory,
            MemoryCheck memory) {

        /** Human-readable report, one fact per line. */
        public String report() {
            Settings s = settings;
            return String.format(
                    Locale.ROOT,
                    "model       %s%n"
                            + "device      %s, %s%n"
                            + "batch       %d images x %d batches (after %d warm-up), cfg %.2f top-k %d top-p %.2f%n"
                            + "load        %.2f s (random weights)%n"
                            + "throughput  %.4g images/s%n"
                            + "per batch   %.1f ms = transformer %.1f + sampling %.1f + decode %.1f%n"
                            + "cpu         %.1f ms per batch (process CPU time, all threads); generating thread: transformer"
                            + " %.1f + sampling %.1f + decode %.1f%n"
                            + "peak memory %s%n"
                            + "%s"
                            + "record      images_per_s=%.4f ms_per_batch=%.0f transformer_ms=%.0f sampling_ms=%.0f"
                            + " decode_ms=%.0f transformer_cpu_ms=%.0f sampling_cpu_ms=%.0f decode_cpu_ms=%.0f"
                            + " cpu_ms_per_batch=%.0f%n",
                    s.config(),
                    device,
                    s.options().precision().name().toLowerCase(Locale.ROOT),
                    s.batch(),
                    s.batches(),
                    s.warmupBatches(),
                    s.sampling().cfg(),
                    s.sampling().topK(),
                    s.sampling().topP(),
                    loadSeconds,
                    imagesPerSecond,
                    msPerBatch,
                    transformerMs,
                    samplingMs,
                    decodeMs,
                    cpuMsPerBatch,
                    transformerCpuMs,
                    samplingCpuMs,
                    decodeCpuMs,
                    peakMemory,
                    memory == null ? "" : memory.report(),
                    imagesPerSecond,
                    msPerBatch,
                    transformerMs,
                    samplingMs,
                    decodeMs,
                    transformerCpuMs,
                    samplingCpuMs,
                    decodeCpuMs,
                    cpuMsPerBatch);
        }
    }

    private Benchmark() {}

    public static Result run(Settings settings) {
        long loadStart = System.nanoTime();
        try (VarModel model =
                VarModel.randomWeights(settings.config(), settings.seed(), settings.options())) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            // Random weights are generated on the Java heap (a real checkpoint is memory-mapped):
            // collect that garbage now so it is not counted as generation memory.
            System.gc();
            MemoryProbe memory = new MemoryProbe(settings.options());
            // Resident bytes with the weights loaded and nothing generated yet: what the batch adds
            // is measured above this line (CPU only; the peak is the kernel's high-water mark).
            long residentBeforeBatches = ProcessMemory.residentBytes();
            long heapBeforeBatches = ProcessMemory.heapCommittedBytes();
            GenerationTimings timings = new GenerationTimings();
            long next = settings.seed();
            for (int i = 0; i < settings.warmupBatches(); i++) {
                model.generate(tasks(settings, next), timings);
                next += settings.batch();
                memory.sample();
            }
            timings.reset();
            OperatorProfile profiler = OperatorProfile.start(settings);
            long start = System.nanoTime();
            long cpuStart = ProcessMemory.cpuNanos();
            for (int i = 0; i < settings.batches(); i++) {
                model.generate(tasks(settings, next), timings);
                next += settings.batch();
                memory.sample();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMs = (ProcessMemory.cpuNanos() - cpuStart) / 1e6;
            profiler.stop();
            int n = settings.batches();
            MemoryCheck check =
                    settings.options().device() == RuntimeOptions.Device.CPU
                            ? MemoryCheck.of(
                                    settings.config(),
                                    settings.options().precision(),
                                    settings.batch(),
                                    ProcessMemory.peakResidentBytes()
                                            - residentBeforeBatches
                                            - Math.max(
                                                    0,
                                                    ProcessMemory.heapCommittedBytes()
                                                            - heapBeforeBatches))
                            : null;
            return new Result(
                    settings,
                    memory.deviceName(),
                    loadSeconds,
                    timings.images() / seconds,
                    seconds * 1000 / n,
                    timings.transformerMs() / n,
                    timings.samplingMs() / n,
                    timings.decodeMs() / n,
                    timings.transformerCpuMs() / n,
                    timings.samplingCpuMs() / n,
                    timings.decodeCpuMs() / n,
                    cpuMs / n,
                    memory.report(),
                    check);
        }
    }

    private static List<ImageTask> tasks(Settings settings, long firstSeed) {
        int classes = settings.config().numClasses();
        List<ImageTask> tasks = new ArrayList<>(settings.batch());
        for (int i = 0; i < settings.batch(); i++) {
            long seed = firstSeed + i;
            tasks.add(
                    new ImageTask(
                            (int) Math.floorMod(seed * 7919, (long) classes),
                            seed,
                            settings.sampling()));
        }
        return tasks;
    }

    /**
     * Peak memory: GPU memory in use (whole device) or JVM heap and process peak RSS on the CPU.
     */
    private static final class MemoryProbe {
        private final boolean gpu;
        private long peakGpuBytes = -1;
        private long peakHeapBytes;

        MemoryProbe(RuntimeOptions options) {
            this.gpu = options.device() == RuntimeOptions.Device.GPU;
        }

        String deviceName() {
            return gpu ? "gpu " + Device.gpu() : "cpu";
        }

        void sample() {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            peakHeapBytes = Math.max(peakHeapBytes, heap.getUsed());
            if (gpu) {
                try {
                    peakGpuBytes =
                            Math.max(peakGpuBytes, CudaUtils.getGpuMemory(Device.gpu()).getUsed());
                } catch (RuntimeException | LinkageError e) {
                    peakGpuBytes = -1;
                }
            }
        }

        String report() {
            if (gpu) {
                return peakGpuBytes < 0
                        ? "gpu n/a (CUDA memory info unavailable)"
                        : String.format(
                                Locale.ROOT,
                                "gpu %.0f MiB in use on the device (peak of samples after each batch)",
                                peakGpuBytes / 1048576.0);
            }
            return String.format(
                    Locale.ROOT,
                    "jvm heap %.0f MiB, process peak RSS %s",
                    peakHeapBytes / 1048576.0,
                    peakRss());
        }

        private static String peakRss() {
            long bytes = ProcessMemory.peakResidentBytes();
            return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
        }
    }
}
