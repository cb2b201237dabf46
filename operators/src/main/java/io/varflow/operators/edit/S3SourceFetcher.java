package io.varflow.operators.edit;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.ServerException;
import io.varflow.operators.store.JitteredBackoff;
import io.varflow.operators.store.ObjectStoreConfig;
import io.varflow.operators.store.OutageLog;
import io.varflow.operators.store.StoreRetryOptions;
import java.io.IOException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches edit sources from the job's object store with MinIO's blocking client. Only objects in
 * the job's own bucket are readable: a request must not make the job read whatever its credentials
 * can reach. When the store does not answer (connection refused, reset, timed out, 5xx), the fetch
 * is retried with jittered exponential backoff for up to the retry budget, so an outage delays
 * edits (back-pressure on the edits source) instead of dead-lettering them; the outage is logged
 * when it starts and when it ends ({@link OutageLog}). Answers such as "no such key" are not
 * retried.
 */
public final class S3SourceFetcher implements SourceFetcher, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3SourceFetcher.class);

    private final ObjectStoreConfig store;
    private final MinioClient client;
    private final StoreRetryOptions retry;
    private final OutageLog outage;

    /** Retries as {@link StoreRetryOptions#DEFAULTS}. */
    public S3SourceFetcher(ObjectStoreConfig store) {
        this(store, StoreRetryOptions.DEFAULTS);
    }

    public S3SourceFetcher(ObjectStoreConfig store, StoreRetryOptions retry) {
        this.store = store;
        this.client = store.syncClient();
        this.retry = retry;
        this.outage =
                new OutageLog(
                        LOG,
                        "Object store "
                                + store.endpoint()
                                + " (bucket "
                                + store.bucket()
                                + ", edit sources)",
                        "fetches are retried with backoff for up to "
                                + retry.timeoutMs() / 1000
                                + " s each");
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
        String key =
                parsed.getPath() == null || parsed.getPath().length() < 2
                        ? null
                        : parsed.getPath().substring(1);
        if (!"s3".equals(parsed.getScheme()) || bucket == null || key == null) {
            throw new IllegalArgumentException("'" + uri + "' must be s3://bucket/key");
        }
        if (!bucket.equals(store.bucket())) {
            throw new IllegalArgumentException(
                    "'" + uri + "' is outside the job's bucket '" + store.bucket() + "'");
        }
        long deadline = System.currentTimeMillis() + retry.timeoutMs();
        for (int attempt = 1; ; attempt++) {
            try {
                byte[] bytes = fetchOnce(uri, bucket, key, maxBytes);
                outage.succeeded(System.currentTimeMillis());
                return bytes;
            } catch (Unanswered e) {
                long now = System.currentTimeMillis();
                outage.failed(e.getCause(), now);
                long pause = JitteredBackoff.of(retry).getBackoffTimeMillis(attempt);
                if (now + pause > deadline || !retry.allowsRetry(attempt)) {
                    throw new IOException(
                            "reading "
                                    + uri
                                    + " failed: "
                                    + e.getCause().getClass().getSimpleName()
                                    + " (the store did not answer for "
                                    + retry.timeoutMs() / 1000
                                    + " s)",
                            e.getCause());
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading " + uri, interrupted);
                }
            }
        }
    }

    /** The store did not answer; worth retrying. */
    private static final class Unanswered extends Exception {
        private static final long serialVersionUID = 1L;

        Unanswered(Throwable cause) {
            super(cause);
        }
    }

    /**
     * The innermost I/O failure or 5xx answer in {@code e}'s causes (MinIO's blocking client wraps
     * a refused connection in an unchecked exception), or null when the store did answer.
     */
    private static Throwable transportFailure(Throwable e) {
        Throwable found = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof ServerException) {
                found = t;
            }
        }
        return found;
    }

    private byte[] fetchOnce(String uri, String bucket, String key, long maxBytes)
            throws IOException, Unanswered {
        try {
            StatObjectResponse stat =
                    client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            if (stat.size() > maxBytes) {
                throw new LimitExceeded(
                        uri + " is " + stat.size() + " bytes; the limit is " + maxBytes);
            }
            try (GetObjectResponse in =
                    client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
                if (bytes.length > maxBytes) {
                    throw new LimitExceeded(
                            uri + " is larger than the limit of " + maxBytes + " bytes");
                }
                return bytes;
            }
        } catch (ErrorResponseException e) {
            String code = e.errorResponse() == null ? "" : e.errorResponse().code();
            if ("NoSuchKey".equals(code)
                    || "NoSuchBucket".equals(code)
                    || "NoSuchObject".equals(code)) {
                throw new NotFoundException(uri + " does not exist");
            }
            throw new IOException("reading " + uri + " failed: " + code, e);
        } catch (LimitExceeded e) {
            throw e;
        } catch (Exception e) {
            Throwable transport = transportFailure(e);
            if (transport != null) {
                throw new Unanswered(transport);
            }
            throw new IOException("reading " + uri + " failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** An object over the size limit: an answer, not retried. */
    private static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String message) {
            super(message);
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
