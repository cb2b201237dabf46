package io.varflow.operators.store;

import org.slf4j.Logger;

/**
 * Logs an outage of a dependency twice, not once per failed attempt: a WARN when the first attempt
 * fails after a success (with the cause), and a WARN when an attempt succeeds again, with how long
 * it lasted and how many attempts failed meanwhile. Thread-safe: completions arrive on client
 * threads.
 */
public final class OutageLog {

    private final Logger log;
    private final String what;
    private final String retrying;
    private long since;
    private long failedAttempts;
    private String lastError;

    /**
     * @param log where the two lines go
     * @param what the dependency, e.g. {@code object store http://s3:9000 (bucket varflow)}
     * @param retrying what happens meanwhile, e.g. {@code retrying each image for up to 5 min}
     */
    public OutageLog(Logger log, String what, String retrying) {
        this.log = log;
        this.what = what;
        this.retrying = retrying;
    }

    /** Records a failed attempt; the first one of an outage is logged. */
    public synchronized void failed(Throwable cause, long nowMs) {
        failedAttempts++;
        lastError = cause.toString();
        if (since == 0) {
            since = nowMs;
            log.warn(
                    "{} is failing: {}; {} (logged again when it recovers)",
                    what,
                    lastError,
                    retrying);
        }
    }

    /** Records a successful attempt; the first one after an outage is logged. */
    public synchronized void succeeded(long nowMs) {
        if (since != 0) {
            log.warn(
                    "{} recovered after {} s; {} attempts failed meanwhile (last error: {})",
                    what,
                    String.format(java.util.Locale.ROOT, "%.1f", (nowMs - since) / 1000.0),
                    failedAttempts,
                    lastError);
            since = 0;
            failedAttempts = 0;
            lastError = null;
        }
    }

    /** Whether an outage is in progress. */
    public synchronized boolean inOutage() {
        return since != 0;
    }

    /** Attempts failed since the outage began (0 when none is in progress). */
    public synchronized long failedAttempts() {
        return failedAttempts;
    }
}
