package io.varflow.operators.testutil;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.varflow.operators.store.ObjectStoreConfig;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** A real S3-compatible server (S3Proxy, in memory) on a free loopback port, for tests. */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "varflow-test-access";
    public static final String SECRET_KEY = "varflow-test-secret-0123456789";

    private final S3Proxy proxy;
    private final MinioClient client;

    private S3ProxyServer(S3Proxy proxy) {
        this.proxy = proxy;
        this.client =
                MinioClient.builder()
                        .endpoint(endpoint())
                        .region("us-east-1")
                        .credentials(ACCESS_KEY, SECRET_KEY)
                        .build();
    }

    /** Starts a server and waits (at most 10 s) until it serves. */
    public static S3ProxyServer start() throws Exception {
        S3Proxy proxy =
                S3Proxy.builder()
                        .blobStore(new TransientNio2BlobStore())
                        .endpoint(URI.create("http://127.0.0.1:0"))
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                        .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException(
                        "S3Proxy did not start within 10 s: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3ProxyServer(proxy);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public ObjectStoreConfig config(String bucket, String basePrefix) {
        return new ObjectStoreConfig(
                endpoint(), "us-east-1", ACCESS_KEY, SECRET_KEY, bucket, basePrefix);
    }

    public MinioClient client() {
        return client;
    }

    public void createBucket(String bucket) throws Exception {
        if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        }
    }

    public byte[] get(String bucket, String key) throws Exception {
        try (InputStream in =
                client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }

    /** Bytes of an {@code s3://bucket/key} URI. */
    public byte[] get(String uri) throws Exception {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        return get(rest.substring(0, slash), rest.substring(slash + 1));
    }

    public List<String> keys(String bucket) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> item :
                client.listObjects(
                        ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
            keys.add(item.get().objectName());
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
        } finally {
            proxy.stop();
        }
    }
}
