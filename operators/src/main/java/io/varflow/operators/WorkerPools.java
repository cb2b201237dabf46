package io.varflow.operators;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread pools that operators keep beside their task thread for CPU work (quantizing, encoding).
 */
public final class WorkerPools {

    private WorkerPools() {}

    /**
     * A fixed pool of one daemon thread per core, named {@code <name>-1}, {@code <name>-2}, ... so
     * they can be told apart in thread dumps and profiles. Shut it down in the operator's close.
     */
    public static ExecutorService perCore(String name) {
        AtomicInteger threads = new AtomicInteger();
        return Executors.newFixedThreadPool(
                Runtime.getRuntime().availableProcessors(),
                runnable -> {
                    Thread thread = new Thread(runnable, name + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }
}
