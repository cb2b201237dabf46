package io.varflow.pipeline.client;

import io.varflow.pipeline.eval.EvalProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a run's submitted messages, printed as they get answered: answered/total, images made
 * and their rate, elapsed time and the time left. Rates are measured from the first answer, so the
 * time the job takes to start and load its model does not count.
 */
public final class RunProgress {

    private static final long QUIET_NANOS = 30_000_000_000L;

    private final String prefix;
    private final int total;
    private final PrintWriter log;
    private final long startNanos;
    private long firstAnswerNanos = -1;
    private long lastObservedNanos;
    private int answered;
    private int images;
    private int printedAnswered = -1;
    private long lastPrintNanos;

    public RunProgress(String prefix, int total, PrintWriter log, long startNanos) {
        this.prefix = prefix;
        this.total = total;
        this.log = log;
        this.startNanos = startNanos;
        this.lastObservedNanos = startNanos;
        this.lastPrintNanos = startNanos;
    }

    /**
     * Records the counts at {@code nanos}; prints a line when they moved, or every 30 s while they
     * do not.
     */
    public void observe(int answeredNow, int imagesNow, long nanos) {
        if (firstAnswerNanos < 0 && answeredNow > 0) {
            firstAnswerNanos = lastObservedNanos;
        }
        answered = answeredNow;
        images = imagesNow;
        lastObservedNanos = nanos;
        if (answered != printedAnswered && answered > 0 || nanos - lastPrintNanos > QUIET_NANOS) {
            log.println(prefix + line());
            log.flush();
            printedAnswered = answered;
            lastPrintNanos = nanos;
        }
    }

    /** {@code 3/10 requests answered, 12 images, 2.4 img/s, elapsed 40s, ETA 1m 05s}. */
    public String line() {
        double seconds = firstAnswerNanos < 0 ? 0 : (lastObservedNanos - firstAnswerNanos) / 1e9;
        double imageRate = seconds <= 0 ? 0 : images / seconds;
        double answerRate = seconds <= 0 ? 0 : answered / seconds;
        String eta =
                answered >= total
                        ? "0s"
                        : answerRate <= 0
                                ? "unknown"
                                : EvalProgress.format(
                                        Duration.ofMillis(
                                                (long)
                                                        Math.ceil(
                                                                (total - answered)
                                                                        / answerRate
                                                                        * 1000)));
        return String.format(
                Locale.ROOT,
                "%d/%d requests answered, %d images, %.1f img/s, elapsed %s, ETA %s",
                answered,
                total,
                images,
                imageRate,
                EvalProgress.format(Duration.ofNanos(lastObservedNanos - startNanos)),
                eta);
    }
}
