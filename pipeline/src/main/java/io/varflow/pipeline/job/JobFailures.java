package io.varflow.pipeline.job;

/**
 * Why a job gave up, in one line: the innermost cause's message (Flink wraps it in several layers
 * of execution and recovery exceptions), e.g. the store failure naming the image and bucket.
 */
public final class JobFailures {

    private JobFailures() {}

    public static String oneLine(Throwable failure) {
        Throwable root = failure;
        Throwable named = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            root = t;
            if (t.getMessage() != null
                    && !t.getMessage().isBlank()
                    && t.getClass().getName().startsWith("io.varflow")) {
                named = t;
            }
        }
        Throwable shown = named != null ? named : root;
        String message =
                shown.getMessage() == null
                        ? shown.getClass().getSimpleName()
                        : shown.getClass().getSimpleName() + ": " + shown.getMessage();
        return message.replace('\n', ' ').strip();
    }
}
