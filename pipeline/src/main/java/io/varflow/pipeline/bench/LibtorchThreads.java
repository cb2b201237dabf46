package io.varflow.pipeline.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The benchmarks run libtorch on one CPU thread unless {@code -Dai.djl.pytorch.num_threads} says
 * otherwise: on a busy 2-core machine two OpenMP threads ran the tiny model several times slower
 * than one, and both sides of bench-pipeline share this JVM's libtorch.
 */
final class LibtorchThreads {

    static final String PROPERTY = "ai.djl.pytorch.num_threads";

    private LibtorchThreads() {}

    /** Sets one thread unless the property is set, and prints the count. */
    static void oneUnlessSet(PrintWriter out) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "1");
        }
        out.printf(
                Locale.ROOT,
                "libtorch intra-op threads: %s (-D%s=N to change)%n",
                System.getProperty(PROPERTY),
                PROPERTY);
        out.flush();
    }
}
