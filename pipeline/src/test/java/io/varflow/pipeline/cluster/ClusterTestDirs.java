package io.varflow.pipeline.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Work directories for cluster tests under {@code target/}, kept after the run: the JobManager,
 * TaskManager and broker logs there are what explains a failure in CI. {@code mvn clean} removes
 * them.
 */
final class ClusterTestDirs {

    private ClusterTestDirs() {}

    static Path create(String name) throws IOException {
        Path base = Path.of(System.getProperty("user.dir"), "target", "cluster-tests");
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name + "-");
    }
}
