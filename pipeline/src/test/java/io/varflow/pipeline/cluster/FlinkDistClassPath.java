package io.varflow.pipeline.cluster;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a Flink image puts on the class path ({@code lib/}: Flink, its bundled third-party
 * libraries, log4j), picked out of the test class path. No varflow classes, no connectors, no DJL,
 * MinIO or Kafka clients: a job on such a cluster has only what its own jar brings.
 */
final class FlinkDistClassPath {

    /** Path fragments of the jars flink-dist ships or bundles. */
    private static final List<String> FLINK_DIST =
            List.of(
                    "/org/apache/flink/flink-",
                    "/org/apache/logging/log4j/",
                    "/org/slf4j/slf4j-api/",
                    "/com/esotericsoftware/",
                    "/org/objenesis/",
                    "/org/javassist/",
                    "/org/snakeyaml/",
                    "/tools/profiler/",
                    "/org/apache/commons/",
                    "/commons-io/",
                    "/commons-collections/",
                    "/commons-cli/",
                    "/com/google/code/findbugs/",
                    "/org/xerial/snappy/",
                    "/at/yawk/lz4/");

    /** Flink artifacts that are connectors or test helpers, not part of flink-dist. */
    private static final List<String> NOT_IN_DIST =
            List.of(
                    "flink-connector-kafka",
                    "flink-connector-base",
                    "flink-connector-datagen",
                    "flink-test-utils",
                    "-tests.jar",
                    "flink-statebackend-",
                    "flink-dstl",
                    "flink-table");

    private FlinkDistClassPath() {}

    static String fromTestClassPath() {
        return Arrays.stream(ChildJvm.testClassPath().split(File.pathSeparator))
                .filter(entry -> FLINK_DIST.stream().anyMatch(entry::contains))
                .filter(entry -> NOT_IN_DIST.stream().noneMatch(entry::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
