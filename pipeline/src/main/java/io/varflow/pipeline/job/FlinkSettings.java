package io.varflow.pipeline.job;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * Flink settings of the varflow job from a {@link JobConfig}: exactly-once checkpoints at the
 * configured interval, kept on cancellation (so a stopped job can resume), the exponential-delay
 * restart strategy, and the checkpoint or savepoint to resume from.
 *
 * <p>Checkpoints must not wait behind a backlog: each queued record in front of the batcher costs a
 * batch of sampling, so an aligned barrier queued behind them took minutes. Checkpoints start
 * aligned and turn unaligned (the barrier overtakes the queued records, which are stored with the
 * checkpoint) when alignment takes longer than {@link #ALIGNED_TIMEOUT}; buffer debloating keeps
 * the data in flight between tasks to about {@link #IN_FLIGHT_TARGET} of throughput, so a newly
 * arrived interactive request reaches the batcher's priority queue quickly.
 */
public final class FlinkSettings {

    /** Alignment time after which a checkpoint barrier overtakes the records in flight. */
    static final Duration ALIGNED_TIMEOUT = Duration.ofSeconds(1);

    /** Time the data in flight between two tasks should take to process (buffer debloating). */
    static final Duration IN_FLIGHT_TARGET = Duration.ofSeconds(1);

    private FlinkSettings() {}

    public static Configuration of(JobConfig config) {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.NAME, config.get(JobOptions.JOB_NAME));
        Duration interval = config.get(JobOptions.JOB_CHECKPOINT_INTERVAL);
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        flink.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        flink.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, interval.dividedBy(4));
        flink.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        flink.set(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, ALIGNED_TIMEOUT);
        flink.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, true);
        flink.set(TaskManagerOptions.BUFFER_DEBLOAT_TARGET, IN_FLIGHT_TARGET);
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
        config.find(JobOptions.JOB_RESTORE_FROM)
                .ifPresent(path -> flink.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
        restartStrategy(config, flink);
        return flink;
    }

    /**
     * {@link #of} plus the addresses of a Flink started in this JVM (MiniCluster): its RPC, BLOB,
     * REST and data-exchange listeners bind {@code job.local-bind-host} (loopback unless
     * configured), so a local run is not reachable from the network.
     */
    public static Configuration local(JobConfig config) {
        Configuration flink = of(config);
        String host = config.get(JobOptions.JOB_LOCAL_BIND_HOST);
        flink.set(JobManagerOptions.ADDRESS, host);
        flink.set(JobManagerOptions.BIND_HOST, host); // RPC and the BLOB server
        flink.set(TaskManagerOptions.HOST, host);
        flink.set(TaskManagerOptions.BIND_HOST, host); // RPC and the data exchange (netty shuffle)
        flink.set(RestOptions.ADDRESS, host);
        flink.set(RestOptions.BIND_ADDRESS, host);
        return flink;
    }

    /**
     * A failed task (a lost TaskManager, an outage longer than the store's retries) restarts from
     * the last checkpoint after a pause that doubles with each failure in a row, and goes back to
     * the initial pause after {@code job.restart.reset-after} without a failure: separate incidents
     * over days never add up to a budget that ends the job; only failures in a row do.
     */
    static void restartStrategy(JobConfig config, Configuration flink) {
        String strategy = config.get(JobOptions.JOB_RESTART_STRATEGY);
        switch (strategy) {
            case "none" -> flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            case "exponential-delay" -> {
                Duration initial = config.get(JobOptions.JOB_RESTART_INITIAL_BACKOFF);
                Duration max = config.get(JobOptions.JOB_RESTART_MAX_BACKOFF);
                if (max.compareTo(initial) < 0) {
                    throw new IllegalArgumentException(
                            JobOptions.JOB_RESTART_MAX_BACKOFF.key()
                                    + " ("
                                    + max
                                    + ") must not be below "
                                    + JobOptions.JOB_RESTART_INITIAL_BACKOFF.key()
                                    + " ("
                                    + initial
                                    + ")");
                }
                flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
                flink.set(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                        initial);
                flink.set(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, max);
                flink.set(
                        RestartStrategyOptions
                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER,
                        2.0);
                flink.set(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR,
                        0.1);
                flink.set(
                        RestartStrategyOptions
                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                        config.get(JobOptions.JOB_RESTART_RESET_AFTER));
                flink.set(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                        config.get(JobOptions.JOB_RESTART_MAX_ATTEMPTS));
            }
            default ->
                    throw new IllegalArgumentException(
                            JobOptions.JOB_RESTART_STRATEGY.key()
                                    + " must be exponential-delay or none, got '"
                                    + strategy
                                    + "'");
        }
    }
}
