package io.varflow.pipeline.bench;

import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Gives the sampling threads a CPU of their own for a benchmark on a small CPU-only machine: CPU 0
 * for every thread that calls {@code generate} on a generator wrapped by {@link #pinCallers}, the
 * other CPUs for everything else in this JVM (Flink, the embedded Kafka and S3 servers, encoders,
 * the JIT compilers, GC) and for the processes it starts afterwards. On a GPU machine the sampler's
 * "core" is the GPU; here it is a CPU core, and without pinning the pipeline's threads and a young
 * JVM's JIT compilers preempt it, which measures the scheduler rather than the pipeline. Uses
 * Linux's {@code taskset}; does nothing with fewer than two CPUs or where {@code /proc} or {@code
 * taskset} is missing.
 *
 * <p>A sampling thread is found by what it does, not by its name: the first time a thread calls the
 * wrapped generator, it pins itself (its Linux thread id is read from {@code /proc/thread-self}).
 */
final class SamplerCorePinning {

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private final String failure;
    private final ThreadLocal<Boolean> pinnedHere = ThreadLocal.withInitial(() -> false);

    private SamplerCorePinning(String failure) {
        this.failure = failure;
    }

    /** Moves this JVM's threads, and the threads and processes they start later, to CPUs 1..n-1. */
    static SamplerCorePinning start() {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) {
            return new SamplerCorePinning("one CPU only");
        }
        if (!Files.exists(THREAD_SELF)) {
            return new SamplerCorePinning("no /proc");
        }
        if (!taskset(
                "-a",
                "-p",
                "-c",
                "1-" + (cpus - 1),
                Long.toString(ProcessHandle.current().pid()))) {
            return new SamplerCorePinning("taskset failed or is missing");
        }
        return new SamplerCorePinning(null);
    }

    /** Null when pinning works, else why not. */
    String failure() {
        return failure;
    }

    /**
     * {@code generator}, pinning each thread that calls {@code generate} to CPU 0 on its first
     * call.
     */
    ImageGenerator pinCallers(ImageGenerator generator) {
        if (failure != null) {
            return generator;
        }
        return new ImageGenerator() {
            @Override
            public ModelConfig config() {
                return generator.config();
            }

            @Override
            public List<GeneratedImage> generate(List<ImageTask> tasks) {
                pinCurrentThread();
                return generator.generate(tasks);
            }

            @Override
            public void close() {
                generator.close();
            }
        };
    }

    private void pinCurrentThread() {
        if (pinnedHere.get()) {
            return;
        }
        try {
            // /proc/thread-self links to <pid>/task/<tid> of the calling thread.
            String tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
            taskset("-p", "-c", "0", tid);
        } catch (IOException | UnsupportedOperationException e) {
            // Not pinnable; the thread runs where the OS puts it.
        }
        pinnedHere.set(true); // one attempt per thread, not one per batch
    }

    private static boolean taskset(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "taskset";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
