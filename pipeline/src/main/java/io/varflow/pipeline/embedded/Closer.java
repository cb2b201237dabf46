package io.varflow.pipeline.embedded;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Closes what was registered, last registered first, and keeps going when one close fails: the
 * first failure is rethrown with the later ones added as suppressed.
 */
public final class Closer implements AutoCloseable {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** Registers a resource to close and returns it. */
    public synchronized <T extends AutoCloseable> T register(T resource) {
        if (resource != null) {
            resources.push(resource);
        }
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                next = resources.poll();
            }
            if (next == null) {
                break;
            }
            try {
                next.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
