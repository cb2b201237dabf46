package io.varflow.pipeline.eval;

import io.varflow.model.io.Npy;
import io.varflow.operators.eval.EvalPlan;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Packs an evaluation set from its store into one {@code .npz}: {@code arr_0} is uint8 N x H x W x
 * 3 in class-major order (the layout the common FID / IS evaluators read) and {@code labels} is
 * int64 N.
 *
 * <p>Images stream from the store into the archive: a few are fetched ahead in parallel (object
 * stores answer one request slowly but many at once), so memory stays at a handful of images
 * however large the set. The archive appears under its final name only when it is complete.
 */
public final class EvalPacker {

    /** Member names in the archive. */
    public static final String IMAGES = "arr_0";

    public static final String LABELS = "labels";

    private final EvalStore store;
    private final int parallelism;

    /**
     * @param parallelism images fetched and decoded at once (at least 1)
     */
    public EvalPacker(EvalStore store, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1");
        }
        this.store = store;
        this.parallelism = parallelism;
    }

    /**
     * What was written.
     *
     * @param file the archive
     * @param bytes its size
     * @param arrays member name to shape
     * @param elapsed time taken
     */
    public record Packed(Path file, long bytes, Map<String, List<Long>> arrays, Duration elapsed) {}

    /**
     * Writes {@code plan}'s images ({@code imageSize} square) into {@code npzFile}, calling {@code
     * progress} with the count packed so far after each image.
     *
     * @throws java.nio.file.NoSuchFileException naming the first missing image
     */
    public Packed pack(EvalPlan plan, int imageSize, Path npzFile, IntConsumer progress)
            throws IOException {
        long start = System.nanoTime();
        Path partial = npzFile.resolveSibling(npzFile.getFileName() + ".partial");
        int n = plan.total();
        long[] shape = {n, imageSize, imageSize, 3};
        long[] labels = new long[n];
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        parallelism,
                        r -> {
                            Thread t = new Thread(r, "varflow-eval-pack");
                            t.setDaemon(true);
                            return t;
                        });
        try (NpzStreamWriter npz = NpzStreamWriter.create(partial)) {
            try (OutputStream images = npz.beginArray(IMAGES, Npy.DType.UINT8, shape)) {
                ArrayDeque<Future<byte[]>> ahead = new ArrayDeque<>();
                int next = 0;
                for (int i = 0; i < n; i++) {
                    while (next < n && ahead.size() < 2 * parallelism) {
                        EvalPlan.EvalItem item = plan.item(next++);
                        ahead.add(
                                pool.submit(
                                        () ->
                                                RgbPixels.decode(
                                                        store.get(item.key()),
                                                        imageSize,
                                                        imageSize,
                                                        store.describe() + "/" + item.key())));
                    }
                    images.write(await(ahead.removeFirst()));
                    labels[i] = plan.item(i).label();
                    progress.accept(i + 1);
                }
            }
            npz.writeInt64s(LABELS, labels);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        } finally {
            pool.shutdownNow();
        }
        Files.move(
                partial,
                npzFile,
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Map<String, List<Long>> arrays = new LinkedHashMap<>();
        arrays.put(IMAGES, List.of(shape[0], shape[1], shape[2], shape[3]));
        arrays.put(LABELS, List.of((long) n));
        return new Packed(
                npzFile, Files.size(npzFile), arrays, Duration.ofNanos(System.nanoTime() - start));
    }

    private static byte[] await(Future<byte[]> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while packing", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }
}
