package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class FlinkSettingsTest {

    @Test
    void checkpointsTurnUnalignedAfterASecondAndInFlightDataIsDebloated() {
        Configuration flink = FlinkSettings.of(JobConfig.defaults());
        assertThat(flink.get(CheckpointingOptions.ENABLE_UNALIGNED)).isTrue();
        assertThat(flink.get(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(flink.get(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED)).isTrue();
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLocalFlinkListensOnLoopbackUnlessConfigured() {
        Configuration local = FlinkSettings.local(JobConfig.defaults());
        assertThat(local.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(local.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(local.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        Configuration exposed =
                FlinkSettings.local(
                        JobConfig.defaults().with(JobOptions.JOB_LOCAL_BIND_HOST, "0.0.0.0"));
        assertThat(exposed.get(RestOptions.BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(FlinkSettings.of(JobConfig.defaults()).contains(RestOptions.BIND_ADDRESS))
                .as("a cluster's own settings decide its addresses")
                .isFalse();
    }

    @Test
    void resultDeliveryIsExactlyOnceUnlessAtLeastOnceIsAskedFor() {
        assertThat(KafkaConnectors.delivery(JobConfig.defaults()))
                .isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(
                        KafkaConnectors.delivery(
                                JobConfig.defaults()
                                        .with(JobOptions.JOB_RESULT_DELIVERY, "at-least-once")))
                .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThatThrownBy(() -> JobConfig.defaults().with(JobOptions.JOB_RESULT_DELIVERY, "once"))
                .hasMessageContaining("job.result-delivery")
                .hasMessageContaining("exactly-once, at-least-once")
                .hasMessageContaining("'once'");
    }

    @Test
    void restartsUseExponentialDelayThatResetsAfterAHealthyPeriod() {
        Configuration flink = FlinkSettings.of(JobConfig.defaults());
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
        assertThat(
                        flink.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(
                        flink.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(flink.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS))
                .isEqualTo(20);

        JobConfig tuned =
                JobConfig.defaults()
                        .with(JobOptions.JOB_RESTART_RESET_AFTER, Duration.ofHours(1))
                        .with(JobOptions.JOB_RESTART_MAX_ATTEMPTS, 3);
        Configuration custom = FlinkSettings.of(tuned);
        assertThat(
                        custom.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD))
                .isEqualTo(Duration.ofHours(1));
        assertThat(custom.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS))
                .isEqualTo(3);
    }

    @Test
    void noneFailsAtOnceAndAnythingElseIsRefused() {
        assertThat(
                        FlinkSettings.of(
                                        JobConfig.defaults()
                                                .with(JobOptions.JOB_RESTART_STRATEGY, "none"))
                                .get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("none");
        assertThatThrownBy(
                        () ->
                                FlinkSettings.of(
                                        JobConfig.defaults()
                                                .with(JobOptions.JOB_RESTART_STRATEGY, "fixed")))
                .hasMessageContaining("job.restart-strategy")
                .hasMessageContaining("exponential-delay, none")
                .hasMessageContaining("'fixed'");
        assertThatThrownBy(
                        () ->
                                FlinkSettings.of(
                                        JobConfig.defaults()
                                                .with(
                                                        JobOptions.JOB_RESTART_MAX_BACKOFF,
                                                        Duration.ofMillis(1))))
                .hasMessageContaining("job.restart.max-backoff");
    }

    @Test
    void aJobThatGivesUpSaysWhyInOneLine() {
        Exception failure =
                new RuntimeException(
                        "Job execution failed.",
                        new IllegalStateException(
                                "Recovery is"
                                        + " suppressed by ExponentialDelayRestartBackoffTimeStrategy",
                                new GaveUp(
                                        "gave up storing image r-1#0 in bucket b\nafter 300 s",
                                        new java.net.ConnectException())));
        assertThat(JobFailures.oneLine(failure))
                .isEqualTo("GaveUp: gave up storing image r-1#0 in bucket b after 300 s");
    }

    /** Stands for varflow's own exceptions, which name the image or record. */
    static final class GaveUp extends Exception {
        private static final long serialVersionUID = 1L;

        GaveUp(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
