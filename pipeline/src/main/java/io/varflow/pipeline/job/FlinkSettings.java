package io.varflow.pipeline.job;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * Flink settings of the varflow job from a {@link JobConfig}: exactly-once checkpoints at the
 * configured interval, kept on cancellation (so a stopped job can resume), the exponential-delay
 * restart strategy, and the checkpoint or savepoint to resume from.
 */
public final class FlinkSettings {

    private FlinkSettings() {}

    public static Configuration of(JobConfig config) {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.NAME, config.get(JobOptions.JOB_NAME));
        Duration interval = config.get(JobOptions.JOB_CHECKPOINT_INTERVAL);
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        flink.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        flink.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, interval.dividedBy(4));
        flink.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        config.find(JobOptions.JOB_CHECKPOINT_DIR)
                .ifPresent(
                        dir -> {
                            flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
                            flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
                        });
        config.find(JobOptions.JOB_RESTORE_FROM).ifPresent(path -> flink.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        restartStrategy(config, flink);
        return flink;
    }

    /**
     * A failed task (a lost TaskManager, an outage longer than the store's retries) restarts from the
     * last checkpoint after a pause that doubles with each failure in a row, and goes back to the
     * initial pause after {@code job.restart.reset-after} without a failure: separate incidents over
     * days never add up to a budget that ends the job; only failures in a row do.
     */
    static void restartStrategy(JobConfig config, Configuration flink) {
        String strategy = config.get(JobOptions.JOB_RESTART_STRATEGY);
        switch (strategy) {
            case "none" -> flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            case "exponential-delay" -> {
                Duration initial = config.get(JobOptions.JOB_RESTART_INITIAL_BACKOFF);
                Duration max = config.get(JobOptions.JOB_RESTART_MAX_BACKOFF);
                if (max.compareTo(initial) < 0) {
                    throw new IllegalArgumentException(JobOptions.JOB_RESTART_MAX_BACKOFF.key() + " (" + max
                            + ") must not be below " + JobOptions.JOB_RESTART_INITIAL_BACKOFF.key() + " (" + initial + ")");
                }
                flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
                flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, initial);
                flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, max);
                flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
                flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
                flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                        config.get(JobOptions.JOB_RESTART_RESET_AFTER));
                flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                        config.get(JobOptions.JOB_RESTART_MAX_ATTEMPTS));
            }
            default -> throw new IllegalArgumentException(JobOptions.JOB_RESTART_STRATEGY.key()
                    + " must be exponential-delay or none, got '" + strategy + "'");
        }
    }
}
