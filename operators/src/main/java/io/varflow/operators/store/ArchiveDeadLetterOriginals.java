package io.varflow.operators.store;

import io.minio.MinioAsyncClient;
import io.minio.PutObjectArgs;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.OutputLimits;
import java.util.Collections;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the whole message of a dead letter whose original is longer than the {@link
 * OutputLimits#maxOriginalBytes()} prefix: stores it in the bucket under {@code
 * [basePrefix/]dead-letters/<topic>/<partition>/<offset>} (deterministic, so a retry or replay
 * overwrites) and emits the letter, cut to the limits, naming the object in {@code originalObject}.
 * Letters that fit pass through cut to the limits without touching the store. Run it like the store
 * step, behind the async operator with {@link JitteredBackoff} retries.
 */
public final class ArchiveDeadLetterOriginals extends RichAsyncFunction<DeadLetter, DeadLetter> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveDeadLetterOriginals.class);
    static final String FOLDER = "dead-letters";

    private final ObjectStoreConfig store;
    private final OutputLimits limits;
    private final long retryForMs;

    private transient MinioAsyncClient client;
    private transient OutageLog outage;

    public ArchiveDeadLetterOriginals(
            ObjectStoreConfig store, OutputLimits limits, StoreRetryOptions retry) {
        this.store = store;
        this.limits = limits;
        this.retryForMs = retry.timeoutMs();
    }

    @Override
    public void open(OpenContext openContext) {
        client = store.asyncClient();
        outage =
                new OutageLog(
                        LOG,
                        "Object store "
                                + store.endpoint()
                                + " (bucket "
                                + store.bucket()
                                + ", dead-letter originals)",
                        "originals are retried with backoff for up to "
                                + retryForMs / 1000
                                + " s each");
    }

    /** Key of the archived original of the record at {@code source}. */
    public static String key(String basePrefix, DeadLetter.Source source) {
        String key =
                FOLDER + "/" + source.topic() + "/" + source.partition() + "/" + source.offset();
        return basePrefix == null || basePrefix.isEmpty() ? key : basePrefix + "/" + key;
    }

    @Override
    public void asyncInvoke(DeadLetter letter, ResultFuture<DeadLetter> result) throws Exception {
        if (letter.original().length <= limits.maxOriginalBytes() || letter.originalTruncated()) {
            result.complete(Collections.singletonList(bound(letter)));
            return;
        }
        String key = key(store.basePrefix(), letter.source());
        byte[] bytes = letter.original();
        client.putObject(
                        PutObjectArgs.builder()
                                .bucket(store.bucket())
                                .object(key)
                                .data(bytes, bytes.length)
                                .contentType("application/octet-stream")
                                .build())
                .whenComplete(
                        (ok, error) -> {
                            long now = System.currentTimeMillis();
                            if (error == null) {
                                outage.succeeded(now);
                                result.complete(
                                        Collections.singletonList(
                                                bound(letter.archivedAt(store.uri(key)))));
                                return;
                            }
                            Throwable cause =
                                    error instanceof CompletionException && error.getCause() != null
                                            ? error.getCause()
                                            : error;
                            outage.failed(cause, now);
                            result.completeExceptionally(
                                    new StoreArtifactFunction.StoreException(
                                            "archiving the original"
                                                    + " of the dead letter for "
                                                    + letter.source().coordinates()
                                                    + " in bucket "
                                                    + store.bucket()
                                                    + " failed: "
                                                    + cause.getMessage(),
                                            cause));
                        });
    }

    @Override
    public void timeout(DeadLetter letter, ResultFuture<DeadLetter> result) {
        result.completeExceptionally(
                new StoreArtifactFunction.StoreException(
                        "gave up archiving the original of the"
                                + " dead letter for "
                                + letter.source().coordinates()
                                + " in bucket "
                                + store.bucket()
                                + " at "
                                + store.endpoint()
                                + " after "
                                + retryForMs / 1000
                                + " s of retries",
                        null));
    }

    private DeadLetter bound(DeadLetter letter) {
        return letter.bounded(limits.maxOriginalBytes(), limits.maxReasonChars());
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
