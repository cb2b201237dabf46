package io.varflow.pipeline.client;

import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.net.URI;
import java.util.Collection;

/**
 * Checks that objects named by {@code s3://bucket/key} URIs exist in the configured object store.
 */
public final class ObjectStoreProbe implements AutoCloseable {

    private final MinioClient client;

    public ObjectStoreProbe(JobConfig config) {
        this.client =
                MinioClient.builder()
                        .endpoint(config.require(JobOptions.S3_ENDPOINT))
                        .region(config.require(JobOptions.S3_REGION))
                        .credentials(
                                config.require(JobOptions.S3_ACCESS_KEY),
                                config.require(JobOptions.S3_SECRET_KEY))
                        .build();
    }

    /** How many of the URIs name an existing object. */
    public int countExisting(Collection<String> uris) {
        int n = 0;
        for (String uri : uris) {
            if (exists(uri)) {
                n++;
            }
        }
        return n;
    }

    public boolean exists(String s3Uri) {
        URI uri = URI.create(s3Uri);
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an s3://bucket/key URI: " + s3Uri);
        }
        String key = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
        try {
            client.statObject(StatObjectArgs.builder().bucket(uri.getHost()).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())
                    || "NoSuchBucket".equals(e.errorResponse().code())) {
                return false;
            }
            throw new IllegalStateException("cannot check " + s3Uri + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot check " + s3Uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
