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
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class FlinkSettingsTest {

    @Test
    void checkpointsTurnUnalignedAfterASecondAndInFlightDataIsDebloated() {
        Configuration flink = FlinkSettings.of(JobConfig.defaults());
        assertThat(flink.get(CheckpointingOptions.ENABLE_UNALIGNED)).isTrue();
        assertThat(flink.get(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT)).isEqualTo(Duration.ofSeconds(1));
        assertThat(flink.get(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED)).isTrue();
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLocalFlinkListensOnLoopbackUnlessConfigured() {
        Configuration local = FlinkSettings.local(JobConfig.defaults());
        assertThat(local.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(local.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(local.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        Configuration exposed = FlinkSettings.local(JobConfig.defaults().with(JobOptions.JOB_LOCAL_BIND_HOST, "0.0.0.0"));
        assertThat(exposed.get(RestOptions.BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(FlinkSettings.of(JobConfig.defaults()).contains(RestOptions.BIND_ADDRESS))
                .as("a cluster's own settings decide its addresses").isFalse();
    }

    @Test
    void resultDeliveryIsExactlyOnceUnlessAtLeastOnceIsAskedFor() {
        assertThat(KafkaConnectors.delivery(JobConfig.defaults())).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(KafkaConnectors.delivery(JobConfig.defaults().with(JobOptions.JOB_RESULT_DELIVERY, "at-least-once")))
                .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThatThrownBy(() -> KafkaConnectors.delivery(JobConfig.defaults().with(JobOptions.JOB_RESULT_DELIVERY, "once")))
                .hasMessageContaining("job.result-delivery must be exactly-once or at-least-once, got 'once'");
    }
}
