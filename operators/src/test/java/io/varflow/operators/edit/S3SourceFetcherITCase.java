package io.varflow.operators.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.varflow.operators.store.ObjectStoreConfig;
import io.varflow.operators.store.StoreRetryOptions;
import io.varflow.operators.testutil.S3ProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Edit sources are fetched through an outage of the real S3 server instead of being refused. */
@Timeout(120)
class S3SourceFetcherITCase {

    private static final byte[] SOURCE = {1, 2, 3, 4, 5};

    @TempDir Path root;

    @Test
    void aFetchDuringAnOutageWaitsForTheStoreAndAnswersAreNotRetried() throws Exception {
        int port = freePort();
        ObjectStoreConfig config =
                new ObjectStoreConfig(
                        "http://127.0.0.1:" + port,
                        "us-east-1",
                        S3ProxyServer.ACCESS_KEY,
                        S3ProxyServer.SECRET_KEY,
                        "edits-bucket",
                        "");
        S3Proxy first = started(port);
        try (MinioClient client =
                MinioClient.builder()
                        .endpoint(config.endpoint())
                        .region("us-east-1")
                        .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
                        .build()) {
            client.makeBucket(MakeBucketArgs.builder().bucket("edits-bucket").build());
            client.putObject(
                    PutObjectArgs.builder()
                            .bucket("edits-bucket")
                            .object("src/a.png")
                            .data(SOURCE, SOURCE.length)
                            .build());
        }
        first.stop();

        S3Proxy second = null;
        try (S3SourceFetcher fetcher =
                new S3SourceFetcher(config, StoreRetryOptions.ofTotal(60_000, 50, 500, 1))) {
            CompletableFuture<byte[]> fetched =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return fetcher.fetch("s3://edits-bucket/src/a.png", 1000);
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            Thread.sleep(1500); // the store is down: the fetch keeps retrying
            assertThat(fetched).as("still waiting for the store").isNotDone();
            second = started(port);
            assertThat(fetched.get(30, TimeUnit.SECONDS)).isEqualTo(SOURCE);

            assertThatThrownBy(() -> fetcher.fetch("s3://edits-bucket/src/missing.png", 1000))
                    .isInstanceOf(SourceFetcher.NotFoundException.class);
            assertThatThrownBy(() -> fetcher.fetch("s3://edits-bucket/src/a.png", 3))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("the limit is 3");
        } finally {
            if (second != null) {
                second.stop();
            }
        }
    }

    @Test
    void aStoreThatNeverAnswersFailsTheFetchAfterTheBudget() throws Exception {
        ObjectStoreConfig config =
                new ObjectStoreConfig(
                        "http://127.0.0.1:" + freePort(),
                        "us-east-1",
                        S3ProxyServer.ACCESS_KEY,
                        S3ProxyServer.SECRET_KEY,
                        "edits-bucket",
                        "");
        try (S3SourceFetcher fetcher =
                new S3SourceFetcher(config, StoreRetryOptions.ofTotal(1_000, 50, 200, 1))) {
            assertThatThrownBy(() -> fetcher.fetch("s3://edits-bucket/src/a.png", 1000))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith(
                            "reading s3://edits-bucket/src/a.png failed: ConnectException")
                    .hasMessageContaining("did not answer for 1 s");
        }
    }

    private S3Proxy started(int port) throws Exception {
        S3Proxy proxy =
                S3Proxy.builder()
                        .blobStore(new FilesystemNio2BlobStore(root.toString()))
                        .endpoint(URI.create("http://127.0.0.1:" + port))
                        .awsAuthentication(
                                AuthenticationType.AWS_V2_OR_V4,
                                S3ProxyServer.ACCESS_KEY,
                                S3ProxyServer.SECRET_KEY)
                        .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return proxy;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
