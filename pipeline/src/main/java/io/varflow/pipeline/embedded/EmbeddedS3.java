package io.varflow.pipeline.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3-compatible HTTP server (S3Proxy) in this JVM, storing objects as files under a folder,
 * with AWS signature v2/v4 authentication. Objects stay on disk after {@link #close()}, so a
 * restarted stack (or a person) can look at them.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private volatile S3Proxy proxy;
    private final int port;
    private final Path root;
    private final String accessKey;
    private final String secretKey;

    private EmbeddedS3(S3Proxy proxy, int port, Path root, String accessKey, String secretKey) {
        this.proxy = proxy;
        this.port = port;
        this.root = root;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /**
     * Starts a server on a free loopback port that keeps its buckets as folders under {@code root}.
     */
    public static EmbeddedS3 start(Path root, String accessKey, String secretKey)
            throws IOException {
        Files.createDirectories(root);
        int port = FreePorts.next();
        EmbeddedS3 server =
                new EmbeddedS3(
                        build(root, port, accessKey, secretKey), port, root, accessKey, secretKey);
        try {
            server.startProxy();
        } catch (IOException e) {
            server.close();
            throw e;
        }
        LOG.info("S3-compatible server ready at {} (objects in {})", server.endpoint(), root);
        return server;
    }

    private static S3Proxy build(Path root, int port, String accessKey, String secretKey) {
        return S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(root.toString()))
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
    }

    private void startProxy() throws IOException {
        try {
            proxy.start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(
                            "S3Proxy did not start within " + START_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("S3Proxy failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * Stops answering, as in an outage: connections to the endpoint are refused until {@link
     * #resume()}.
     */
    public synchronized void pause() throws IOException {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IOException("S3Proxy failed to stop", e);
        }
        LOG.info("S3-compatible server at {} paused", endpoint());
    }

    /** Serves again on the same port and folder after {@link #pause()}. */
    public synchronized void resume() throws IOException {
        proxy = build(root, port, accessKey, secretKey);
        startProxy();
        LOG.info("S3-compatible server at {} resumed", endpoint());
    }

    /** {@code http://127.0.0.1:port}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Folder holding one sub-folder per bucket. */
    public Path root() {
        return root;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() throws IOException {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IOException("S3Proxy failed to stop", e);
        }
    }
}
