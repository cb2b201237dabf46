package io.varflow.pipeline.eval;

import java.time.Duration;
import java.util.Locale;

/**
 * Images done out of the total and an estimate of the time left, from successive observations of
 * the done count. The rate is measured from the first observation that saw progress, so the time a
 * job spends starting and loading its model does not inflate the estimate.
 */
public final class EvalProgress {

    private final int total;
    private final long startNanos;
    private long firstProgressNanos = -1;
    private int firstProgressDone;
    private int done;
    private long lastNanos;

    public EvalProgress(int total, long startNanos) {
        this.total = total;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
    }

    /** Records that {@code doneNow} images exist at {@code nanos} (System.nanoTime()). */
    public void observe(int doneNow, long nanos) {
        if (firstProgressNanos < 0 && doneNow > 0) {
            // Progress began somewhere between the previous observation and this one.
            firstProgressNanos = lastNanos;
            firstProgressDone = done;
        }
        done = Math.max(done, doneNow);
        lastNanos = nanos;
    }

    public int done() {
        return done;
    }

    public int total() {
        return total;
    }

    public boolean complete() {
        return done >= total;
    }

    /** Images per second since progress began, or 0 before that. */
    public double imagesPerSecond() {
        if (firstProgressNanos < 0 || lastNanos <= firstProgressNanos) {
            return 0;
        }
        return (done - firstProgressDone) / ((lastNanos - firstProgressNanos) / 1e9);
    }

    /** Estimated time left, or null while there is no rate to go by. */
    public Duration eta() {
        if (complete()) {
            return Duration.ZERO;
        }
        double rate = imagesPerSecond();
        if (rate <= 0) {
            return null;
        }
        return Duration.ofMillis((long) Math.ceil((total - done) / rate * 1000));
    }

    /** Time since the start. */
    public Duration elapsed() {
        return Duration.ofNanos(lastNanos - startNanos);
    }

    /** One line such as {@code 1200/50000 images (2.4%), 31.5 img/s, elapsed 40s, ETA 25m 50s}. */
    public String line() {
        Duration eta = eta();
        return String.format(
                Locale.ROOT,
                "%d/%d images (%.1f%%), %.1f img/s, elapsed %s, ETA %s",
                done,
                total,
                total == 0 ? 100.0 : 100.0 * done / total,
                imagesPerSecond(),
                format(elapsed()),
                eta == null ? "unknown" : format(eta));
    }

    /** {@code 1h 02m}, {@code 3m 05s} or {@code 12s}. */
    public static String format(Duration d) {
        long s = Math.max(0, (d.toMillis() + 999) / 1000);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
