package io.varflow.operators.store;

import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import java.io.Serializable;
import java.util.Objects;

/**
 * Where and as whom the job stores objects. The pipeline builds it from the job's {@code s3.*}
 * settings; {@link #toString()} never shows the secret, and no varflow message or log line contains
 * either key.
 *
 * @param endpoint S3 endpoint URL, e.g. {@code http://127.0.0.1:9000}
 * @param region signing region ({@code us-east-1} for MinIO/S3Proxy)
 * @param accessKey access key id
 * @param secretKey secret key
 * @param bucket target bucket (at least 3 characters)
 * @param basePrefix key prefix of everything the job writes ("" for none); requests can only add
 *     below it
 */
public record ObjectStoreConfig(
        String endpoint,
        String region,
        String accessKey,
        String secretKey,
        String bucket,
        String basePrefix)
        implements Serializable {

    public ObjectStoreConfig {
        require(endpoint, "endpoint");
        require(accessKey, "access key");
        require(secretKey, "secret key");
        require(bucket, "bucket");
        region = region == null || region.isBlank() ? "us-east-1" : region;
        basePrefix = basePrefix == null ? "" : stripSlashes(basePrefix);
        if (bucket.length() < 3) {
            throw new IllegalArgumentException(
                    "bucket name '" + bucket + "' is shorter than 3 characters");
        }
        if (!basePrefix.isEmpty()
                && io.varflow.operators.validate.SafeNames.checkOutputPrefix(basePrefix) != null) {
            throw new IllegalArgumentException(
                    "base prefix '"
                            + basePrefix
                            + "': "
                            + io.varflow.operators.validate.SafeNames.checkOutputPrefix(
                                    basePrefix));
        }
    }

    /** A new asynchronous client; the caller closes it. */
    public MinioAsyncClient asyncClient() {
        return MinioAsyncClient.builder()
                .endpoint(endpoint)
                .region(region)
                .credentials(accessKey, secretKey)
                .httpClient(S3HttpClients.create())
                .build();
    }

    /**
     * A new blocking client (for setup and downloads, not for the task thread); the caller closes
     * it.
     */
    public MinioClient syncClient() {
        return MinioClient.builder()
                .endpoint(endpoint)
                .region(region)
                .credentials(accessKey, secretKey)
                .httpClient(S3HttpClients.create())
                .build();
    }

    /** {@code s3://bucket/key}. */
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("object store " + what + " is not configured");
        }
    }

    private static String stripSlashes(String prefix) {
        int start = 0;
        int end = prefix.length();
        while (start < end && prefix.charAt(start) == '/') {
            start++;
        }
        while (end > start && prefix.charAt(end - 1) == '/') {
            end--;
        }
        return prefix.substring(start, end);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectStoreConfig c
                && endpoint.equals(c.endpoint)
                && region.equals(c.region)
                && accessKey.equals(c.accessKey)
                && secretKey.equals(c.secretKey)
                && bucket.equals(c.bucket)
                && basePrefix.equals(c.basePrefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpoint, region, accessKey, bucket, basePrefix);
    }

    /** Shows where, never the credentials. */
    @Override
    public String toString() {
        return "ObjectStoreConfig["
                + endpoint
                + ", region "
                + region
                + ", bucket "
                + bucket
                + ", prefix '"
                + basePrefix
                + "', credentials ***]";
    }
}
