package io.varflow.pipeline.eval;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.HashSet;
import java.util.Set;

/**
 * An {@link EvalStore} on an S3-compatible bucket through the MinIO client. Keys are relative to
 * the job's base prefix ({@code s3.prefix}), as object keys in requests are.
 */
public final class MinioEvalStore implements EvalStore {

    private final MinioClient client;
    private final String bucket;
    private final String base;
    private final boolean ownsClient;

    /**
     * @param basePrefix the job's base key prefix ("" for none)
     * @param ownsClient whether {@link #close()} closes the client
     */
    public MinioEvalStore(
            MinioClient client, String bucket, String basePrefix, boolean ownsClient) {
        this.client = client;
        this.bucket = bucket;
        String b = basePrefix == null ? "" : basePrefix.replaceAll("^/+|/+$", "");
        this.base = b.isEmpty() ? "" : b + "/";
        this.ownsClient = ownsClient;
    }

    /** The full object key of {@code key}. */
    public String objectKey(String key) {
        return base + key;
    }

    @Override
    public Set<String> list(String prefix) throws IOException {
        Set<String> keys = new HashSet<>();
        Iterable<Result<Item>> results =
                client.listObjects(
                        ListObjectsArgs.builder()
                                .bucket(bucket)
                                .prefix(base + prefix)
                                .recursive(true)
                                .build());
        try {
            for (Result<Item> result : results) {
                Item item = result.get();
                if (!item.isDir() && item.objectName().startsWith(base)) {
                    keys.add(item.objectName().substring(base.length()));
                }
            }
        } catch (MinioException e) {
            throw new IOException(
                    "cannot list s3://" + bucket + "/" + base + prefix + ": " + e.getMessage(), e);
        }
        return keys;
    }

    @Override
    public byte[] get(String key) throws IOException {
        try (GetObjectResponse in =
                client.getObject(
                        GetObjectArgs.builder().bucket(bucket).object(base + key).build())) {
            return in.readAllBytes();
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                throw new NoSuchFileException("s3://" + bucket + "/" + base + key);
            }
            throw new IOException(
                    "cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        } catch (MinioException e) {
            throw new IOException(
                    "cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "s3://"
                + bucket
                + (base.isEmpty() ? "" : "/" + base.substring(0, base.length() - 1));
    }

    @Override
    public void close() throws java.io.IOException {
        if (ownsClient) {
            try {
                client.close();
            } catch (Exception e) {
                throw new java.io.IOException("cannot close the S3 client", e);
            }
        }
    }
}
