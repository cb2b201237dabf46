package io.varflow.operators.edit;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.varflow.operators.store.ObjectStoreConfig;
import java.io.IOException;
import java.net.URI;

/**
 * Fetches edit sources from the job's object store with MinIO's blocking client. Only objects in
 * the job's own bucket are readable: a request must not make the job read whatever its credentials
 * can reach.
 */
public final class S3SourceFetcher implements SourceFetcher, AutoCloseable {

    private final ObjectStoreConfig store;
    private final MinioClient client;

    public S3SourceFetcher(ObjectStoreConfig store) {
        this.store = store;
        this.client = store.syncClient();
    }

    @Override
    public byte[] fetch(String uri, long maxBytes) throws IOException {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a valid s3:// URI");
        }
        String bucket = parsed.getHost();
        String key = parsed.getPath() == null || parsed.getPath().length() < 2 ? null : parsed.getPath().substring(1);
        if (!"s3".equals(parsed.getScheme()) || bucket == null || key == null) {
            throw new IllegalArgumentException("'" + uri + "' must be s3://bucket/key");
        }
        if (!bucket.equals(store.bucket())) {
            throw new IllegalArgumentException("'" + uri + "' is outside the job's bucket '" + store.bucket() + "'");
        }
        try {
            StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            if (stat.size() > maxBytes) {
                throw new IOException(uri + " is " + stat.size() + " bytes; the limit is " + maxBytes);
            }
            try (GetObjectResponse in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
                if (bytes.length > maxBytes) {
                    throw new IOException(uri + " is larger than the limit of " + maxBytes + " bytes");
                }
                return bytes;
            }
        } catch (ErrorResponseException e) {
            String code = e.errorResponse() == null ? "" : e.errorResponse().code();
            if ("NoSuchKey".equals(code) || "NoSuchBucket".equals(code) || "NoSuchObject".equals(code)) {
                throw new NotFoundException(uri + " does not exist");
            }
            throw new IOException("reading " + uri + " failed: " + code, e);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reading " + uri + " failed: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
