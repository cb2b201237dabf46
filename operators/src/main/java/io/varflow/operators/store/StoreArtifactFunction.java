package io.varflow.operators.store;

import io.minio.MinioAsyncClient;
import io.minio.ObjectWriteResponse;
import io.minio.PutObjectArgs;
import io.varflow.operators.WorkerPools;
import io.varflow.operators.batch.ImageWork;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.metrics.VarflowMetrics;
import io.varflow.operators.sample.GeneratedArtifact;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes an image's PNG and token map ({@link ArtifactEncoder}, on a pool of one thread per core,
 * off the task thread) and stores them with MinIO's asynchronous client under deterministic keys
 * ({@link ObjectKeys}) and emits a {@link StoredImage} only once the store acknowledged every
 * object. One attempt per call: run it with {@code AsyncDataStream.unorderedWaitWithRetry} and a
 * jittered exponential-backoff retry strategy (see {@code GenerationFlow}), so failed attempts are
 * retried without blocking the task thread, and exhausted retries or the timeout fail the job.
 * Images whose generation failed pass through with their error and no objects. An outage is logged
 * twice per subtask ({@link OutageLog}), when it starts and when it ends, not once per attempt.
 *
 * <p>Threading: {@code asyncInvoke} runs on the task thread and only hands the artifact to the
 * encoding pool; the puts start there, and completions arrive on OkHttp's threads, which only
 * complete the {@link ResultFuture} and update thread-safe metrics. The async operator's capacity
 * bounds how many artifacts are encoding or in flight at once.
 */
public final class StoreArtifactFunction extends RichAsyncFunction<GeneratedArtifact, StoredImage> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StoreArtifactFunction.class);

    private final ObjectStoreConfig store;
    private final ModelCatalog catalog;
    private final long retryForMs;

    private transient MinioAsyncClient client;
    private transient OutageLog outage;
    private transient ExecutorService encoders;
    private transient Counter objectsStored;
    private transient Counter failedAttempts;
    private transient Histogram storeMs;

    /**
     * {@code catalog} gives each model's scales, written into its token maps; retries as {@link
     * StoreRetryOptions#DEFAULTS}.
     */
    public StoreArtifactFunction(ObjectStoreConfig store, ModelCatalog catalog) {
        this(store, catalog, StoreRetryOptions.DEFAULTS);
    }

    /**
     * @param retry only its timeout is used here, in log lines and the give-up message
     */
    public StoreArtifactFunction(
            ObjectStoreConfig store, ModelCatalog catalog, StoreRetryOptions retry) {
        this.store = store;
        this.catalog = catalog;
        this.retryForMs = retry.timeoutMs();
    }

    @Override
    public void open(OpenContext openContext) {
        client = store.asyncClient();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        outage =
                new OutageLog(
                        LOG,
                        "Object store "
                                + store.endpoint()
                                + " (bucket "
                                + store.bucket()
                                + ", subtask "
                                + subtask
                                + ")",
                        "images are retried with backoff for up to "
                                + retryForMs / 1000
                                + " s each");
        encoders = WorkerPools.perCore("varflow-encode-" + subtask);
        MetricGroup group = VarflowMetrics.group(getRuntimeContext().getMetricGroup());
        objectsStored = group.counter(VarflowMetrics.OBJECTS_STORED, new ThreadSafeSimpleCounter());
        failedAttempts = group.counter(VarflowMetrics.STORE_RETRIES, new ThreadSafeSimpleCounter());
        storeMs = VarflowMetrics.histogram(group, VarflowMetrics.STORE_MS);
    }

    @Override
    public void asyncInvoke(GeneratedArtifact artifact, ResultFuture<StoredImage> result) {
        long start = System.currentTimeMillis();
        if (artifact.failed()) {
            result.complete(List.of(stored(artifact, null, null, start, start)));
            return;
        }
        CompletableFuture.supplyAsync(() -> putAll(artifact), encoders)
                .thenCompose(stored -> stored)
                .whenComplete(
                        (stored, error) -> {
                            if (error != null) {
                                attemptFailed(artifact.work().output(), error, result);
                                return;
                            }
                            long end = System.currentTimeMillis();
                            outage.succeeded(end);
                            objectsStored.inc(stored.objects());
                            synchronized (this) {
                                storeMs.update(end - start);
                            }
                            result.complete(
                                    Collections.singletonList(
                                            stored(
                                                    artifact,
                                                    stored.imageUri(),
                                                    stored.tokenUri(),
                                                    start,
                                                    end)));
                        });
    }

    /** What one attempt stored. */
    private record Stored(String imageUri, String tokenUri, int objects) {}

    /** Encodes the artifact's objects and starts their puts; runs on the encoding pool. */
    private CompletableFuture<Stored> putAll(GeneratedArtifact artifact) {
        ImageWork.Output output = artifact.work().output();
        String imageKey = null;
        String tokenKey = null;
        List<CompletableFuture<ObjectWriteResponse>> puts = new ArrayList<>(2);
        try {
            byte[] png = ArtifactEncoder.png(artifact);
            if (png != null) {
                imageKey =
                        ObjectKeys.imageKey(
                                store.basePrefix(),
                                output.outputPrefix(),
                                output.requestId(),
                                output.index());
                puts.add(put(imageKey, png, "image/png"));
            }
            byte[] tokenMap =
                    ArtifactEncoder.tokenMap(
                            artifact, catalog.get(artifact.work().draw().model()).patchNums());
            if (tokenMap != null) {
                tokenKey =
                        ObjectKeys.tokenMapKey(
                                store.basePrefix(),
                                output.outputPrefix(),
                                output.requestId(),
                                output.index());
                puts.add(put(tokenKey, tokenMap, "application/octet-stream"));
            }
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        Stored stored =
                new Stored(
                        imageKey == null ? null : store.uri(imageKey),
                        tokenKey == null ? null : store.uri(tokenKey),
                        puts.size());
        return CompletableFuture.allOf(puts.toArray(new CompletableFuture<?>[0]))
                .thenApply(ignored -> stored);
    }

    private CompletableFuture<ObjectWriteResponse> put(String key, byte[] bytes, String contentType)
            throws Exception {
        return client.putObject(
                PutObjectArgs.builder()
                        .bucket(store.bucket())
                        .object(key)
                        .data(bytes, bytes.length)
                        .contentType(contentType)
                        .build());
    }

    private void attemptFailed(
            ImageWork.Output image, Throwable error, ResultFuture<StoredImage> result) {
        failedAttempts.inc();
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        outage.failed(cause, System.currentTimeMillis());
        result.completeExceptionally(
                new StoreException(
                        "storing image "
                                + image.requestId()
                                + "#"
                                + image.index()
                                + " in bucket "
                                + store.bucket()
                                + " failed: "
                                + cause.getMessage(),
                        cause));
    }

    /**
     * Called when an image's retries used up the whole budget: the job fails with one clear cause.
     */
    @Override
    public void timeout(GeneratedArtifact artifact, ResultFuture<StoredImage> result) {
        ImageWork.Output image = artifact.work().output();
        result.completeExceptionally(
                new StoreException(
                        "gave up storing image "
                                + image.requestId()
                                + "#"
                                + image.index()
                                + " in bucket "
                                + store.bucket()
                                + " at "
                                + store.endpoint()
                                + " after "
                                + retryForMs / 1000
                                + " s of retries ("
                                + outage.failedAttempts()
                                + " failed attempts in this"
                                + " outage); raise store.timeout to ride out longer outages",
                        null));
    }

    private static StoredImage stored(
            GeneratedArtifact a, String imageUri, String tokenUri, long start, long end) {
        ImageWork.Output o = a.work().output();
        ImageWork.Draw d = a.work().draw();
        return new StoredImage(
                o.requestId(),
                o.index(),
                o.count(),
                d.model(),
                d.label(),
                d.seed(),
                imageUri,
                tokenUri,
                a.work().schedule().receivedAt(),
                a.queueWaitMs(),
                a.sampleMs() / Math.max(1, a.batchSize()),
                end - start,
                end,
                a.error());
    }

    @Override
    public void close() throws Exception {
        if (encoders != null) {
            encoders.shutdownNow();
            encoders = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** A failed store attempt. */
    public static final class StoreException extends Exception {
        private static final long serialVersionUID = 1L;

        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
