package io.varflow.pipeline.containers;

/** Docker images of the Testcontainers tests, pinned in one place. */
final class DockerImages {

    /** Same Kafka as the embedded broker and the clients. */
    static final String KAFKA = "apache/kafka:4.2.0";

    static final String MINIO = "minio/minio:RELEASE.2025-09-07T16-13-09Z";

    private DockerImages() {}
}
