package io.varflow.model.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory (Linux /proc) and CPU time, for benchmarks. */
final class ProcessMemory {

    private ProcessMemory() {}

    /** Resident set size now, in bytes; -1 where /proc is unavailable. */
    static long residentBytes() {
        return statusKiB("VmRSS:") * 1024;
    }

    /**
     * Peak resident set size of the process so far (the kernel's high-water mark), in bytes; -1 if
     * unknown.
     */
    static long peakResidentBytes() {
        return statusKiB("VmHWM:") * 1024;
    }

    /**
     * Bytes the JVM heap has committed: the heap regrows after the post-load collection, which is
     * Java's memory, not the engine's per-image memory, so the check subtracts its growth.
     */
    static long heapCommittedBytes() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /** CPU time of the whole process (every thread), in nanoseconds; -1 if the JVM cannot tell. */
    static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long statusKiB(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted
        }
        return -1;
    }
}
