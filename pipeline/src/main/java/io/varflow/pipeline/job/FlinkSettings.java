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
 * configured interval, kept on cancellation (so a stopped job can resume), a bounded restart
 * strategy, and the checkpoint or savepoint to resume from.
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
        // A failed task (a broker hiccup, a lost S3 connection) restarts from the last checkpoint.
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        return flink;
    }
}
