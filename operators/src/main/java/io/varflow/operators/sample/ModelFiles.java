package io.varflow.operators.sample;

import io.minio.DownloadObjectArgs;
import io.minio.MinioClient;
import io.varflow.operators.store.ObjectStoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Turns a checkpoint location into a local file: a local path as is, an {@code s3://bucket/key} URI
 * by downloading it once into a cache directory (to a temporary name, then an atomic move, so a
 * crashed download is never mistaken for a checkpoint).
 */
final class ModelFiles {

    private final ObjectStoreConfig store;
    private final Path cacheDir;

    ModelFiles(ObjectStoreConfig store, Path cacheDir) {
        this.store = store;
        this.cacheDir = cacheDir;
    }

    Path localize(String location) throws IOException {
        if (!location.startsWith("s3://")) {
            Path path = Path.of(location);
            if (!Files.isRegularFile(path)) {
                throw new IOException("checkpoint " + location + " is not a readable file");
            }
            return path;
        }
        if (store == null) {
            throw new IOException(
                    "checkpoint "
                            + location
                            + " is in object storage but no object store is configured");
        }
        String rest = location.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IOException("checkpoint location " + location + " is not s3://bucket/key");
        }
        String bucket = rest.substring(0, slash);
        String key = rest.substring(slash + 1);
        Path target = cacheDir.resolve(bucket).resolve(key.replace('/', '_'));
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path partial =
                Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        Files.delete(partial);
        try (MinioClient client = store.syncClient()) {
            client.downloadObject(
                    DownloadObjectArgs.builder()
                            .bucket(bucket)
                            .object(key)
                            .filename(partial.toString())
                            .build());
            Files.move(
                    partial,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(
                    "cannot download "
                            + location
                            + " from "
                            + store.endpoint()
                            + ": "
                            + e.getMessage(),
                    e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
