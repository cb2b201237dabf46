package io.varflow.pipeline.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the log lines this JVM writes (at the levels the test configuration lets through) while
 * it is open, to count them: the job runs in this JVM's MiniCluster, so its lines are all here.
 */
final class LogLines extends AbstractAppender implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();

    private LogLines() {
        super("varflow-log-lines", null, null, true, Property.EMPTY_ARRAY);
    }

    static LogLines capture() {
        LogLines appender = new LogLines();
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        // The root only: every logger of the test configuration is additive, so all lines reach it
        // once.
        context.getConfiguration().getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
        return appender;
    }

    @Override
    public synchronized void append(LogEvent event) {
        lines.add(
                event.getLevel()
                        + " "
                        + event.getLoggerName()
                        + " - "
                        + event.getMessage().getFormattedMessage());
    }

    /** Lines at {@code level} or more severe. */
    synchronized List<String> atLeast(Level level) {
        return lines.stream()
                .filter(
                        l ->
                                Level.getLevel(l.substring(0, l.indexOf(' ')))
                                        .isMoreSpecificThan(level))
                .toList();
    }

    /** Lines containing {@code text}. */
    synchronized List<String> containing(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    synchronized List<String> all() {
        return new ArrayList<>(lines);
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(getName());
        context.updateLoggers();
        stop();
    }
}
