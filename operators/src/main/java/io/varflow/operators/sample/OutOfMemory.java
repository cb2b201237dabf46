package io.varflow.operators.sample;

import java.util.Locale;

/**
 * Tells a failure for lack of memory from other model failures. PyTorch reports an exhausted GPU as
 * an engine exception whose message says {@code CUDA out of memory} (or a cuBLAS/cuDNN allocation
 * status), an exhausted host as {@code DefaultCPUAllocator: can't allocate memory}; the JVM throws
 * {@link OutOfMemoryError}. Such a batch may well succeed smaller, unlike a batch with a bad image.
 */
public final class OutOfMemory {

    private static final String[] MESSAGES = {
        "out of memory",
        "can't allocate memory",
        "cannot allocate memory",
        "alloc_failed",
        "failed to allocate",
    };

    private OutOfMemory() {}

    /** Whether {@code failure}, or one of its causes, says memory ran out. */
    public static boolean recognises(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String message = t.getMessage();
            if (message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                for (String m : MESSAGES) {
                    if (lower.contains(m)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
