package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.embedded.EmbeddedStack;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local run is not reachable from the network: with the job running in its MiniCluster, every TCP
 * socket this JVM listens on (Flink's REST, BLOB, RPC and data exchange, the embedded S3 server) is
 * bound to a loopback address.
 */
@Timeout(300)
class LocalListenersITCase {

    @TempDir Path work;

    @Test
    void everyListenerOfARunningLocalJobIsOnLoopback() throws Exception {
        assumeTrue(ListeningSockets.supported(), "Linux /proc");
        try (EmbeddedStack stack = EmbeddedStack.start(work)) {
            Set<InetSocketAddress> before = ListeningSockets.ofThisProcess();
            JobConfig config = IsolatedTopics.on(stack, "listen");
            Set<InetSocketAddress> all;
            try (JobRunner.LocalJob job = JobRunner.startLocal(config)) {
                job.awaitRunning(Duration.ofSeconds(120));
                all = ListeningSockets.ofThisProcess();
            }
            Set<InetSocketAddress> flink = new HashSet<>(all);
            flink.removeAll(before);
            assertThat(flink)
                    .as("the MiniCluster's listeners (REST and BLOB at least)")
                    .hasSizeGreaterThanOrEqualTo(2);
            assertThat(all)
                    .allSatisfy(
                            address ->
                                    assertThat(address.getAddress().isLoopbackAddress())
                                            .as("%s is reachable from other hosts", address)
                                            .isTrue());
        }
    }
}
