package io.varflow.pipeline.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Gives the sampling threads a CPU of their own for a benchmark on a small CPU-only machine: CPU 0
 * for threads whose names start with one of the given prefixes, the other CPUs for everything else
 * in this JVM (Flink, the embedded Kafka and S3 servers, encoders, the JIT compilers, GC) and for
 * the processes it starts afterwards. On a GPU machine the sampler's "core" is the GPU; here it is a
 * CPU core, and without pinning the pipeline's threads and a young JVM's JIT compilers preempt it,
 * which measures the scheduler rather than the pipeline. Uses Linux's {@code taskset}; does nothing
 * with fewer than two CPUs or where {@code /proc} or {@code taskset} is missing. Threads started
 * later are found by polling every half second.
 */
final class SamplerCorePinning implements AutoCloseable {

    private static final Path TASKS = Path.of("/proc/self/task");

    private final List<String> samplerPrefixes;
    private final Set<String> pinned = new HashSet<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sampler-pinning");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String failure;

    private SamplerCorePinning(List<String> samplerPrefixes) {
        this.samplerPrefixes = List.copyOf(samplerPrefixes);
    }

    /**
     * Moves this JVM to CPUs 1..n-1 and pins matching threads, now and later, to CPU 0.
     *
     * @param samplerPrefixes thread-name prefixes of the sampling threads (Linux keeps 15 characters)
     */
    static SamplerCorePinning start(List<String> samplerPrefixes) {
        SamplerCorePinning pinning = new SamplerCorePinning(samplerPrefixes);
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) {
            pinning.failure = "one CPU only";
        } else if (!Files.isDirectory(TASKS)) {
            pinning.failure = "no /proc";
        } else if (!pinning.taskset("-a", "-p", "-c", "1-" + (cpus - 1), Long.toString(ProcessHandle.current().pid()))) {
            pinning.failure = "taskset failed or is missing";
        } else {
            pinning.pinNewSamplers();
            pinning.timer.scheduleWithFixedDelay(pinning::pinNewSamplers, 500, 500, TimeUnit.MILLISECONDS);
        }
        return pinning;
    }

    /** Null when pinning works, else why not. */
    String failure() {
        return failure;
    }

    private void pinNewSamplers() {
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String tid = task.getFileName().toString();
                if (!pinned.contains(tid) && isSampler(task) && taskset("-p", "-c", "0", tid)) {
                    pinned.add(tid);
                }
            }
        } catch (IOException e) {
            failure = "cannot list threads: " + e.getMessage();
        }
    }

    private boolean isSampler(Path task) {
        try {
            String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
            return samplerPrefixes.stream().anyMatch(name::startsWith);
        } catch (IOException e) {
            return false; // the thread has ended
        }
    }

    private boolean taskset(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "taskset";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
