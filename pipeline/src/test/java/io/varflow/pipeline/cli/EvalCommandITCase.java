package io.varflow.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code varflow eval --embedded} end to end on the tiny model: a real Kafka broker, S3 server and
 * Flink MiniCluster generate 10 classes x 3 images, which are packed into a .npz and described by a
 * manifest; a run killed midway (kill -9 of its JVM) and started again ends with exactly the same
 * 30 images and byte-identical archive.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EvalCommandITCase {

    private static final String EVAL_ID = "it-eval";
    private static final int CLASSES = 10;
    private static final int PER_CLASS = 3;
    private static final int SIZE = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path work;

    private static Path uninterrupted;

    private static List<String> args(Path out) {
        return List.of(
                "eval",
                "--model-name",
                "tiny",
                "--embedded",
                "--classes",
                "0-9",
                "--per-class",
                "3",
                "--seed-base",
                "7",
                "--eval-id",
                EVAL_ID,
                "--out",
                out.toString(),
                "--poll",
                "200ms",
                "--timeout",
                "8m",
                "--max-batch",
                "4");
    }

    @Test
    @Order(1)
    void tenClassesTimesThreeArePackedClassMajorWithAManifest() throws Exception {
        Path out = work.resolve("uninterrupted");
        int rc = VarflowCli.commandLine().execute(args(out).toArray(String[]::new));
        assertThat(rc).isZero();
        uninterrupted = out;

        List<Path> pngs = storedPngs(out);
        assertThat(pngs).hasSize(CLASSES * PER_CLASS);
        String page = Files.readString(out.resolve("index.html"));
        for (int c = 0; c < CLASSES; c++) {
            assertThat(page).contains("data-request=\"" + EVAL_ID + "-000" + c + "\"");
        }
        assertThat(page).contains("images/s", "samples.npz");
        assertThat(out.resolve("page/c0009-0002.png")).isRegularFile();

        try (ZipFile zip = new ZipFile(out.resolve("samples.npz").toFile())) {
            Npy images = Npy.read(zip.getInputStream(zip.getEntry("arr_0.npy")));
            assertThat(images.descr).isEqualTo("|u1");
            assertThat(images.shape).isEqualTo("(30, 64, 64, 3)");
            Npy labels = Npy.read(zip.getInputStream(zip.getEntry("labels.npy")));
            assertThat(labels.descr).isEqualTo("<i8");
            assertThat(labels.shape).isEqualTo("(30,)");
            long[] read = new long[30];
            ByteBuffer.wrap(labels.data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(read);
            for (int i = 0; i < read.length; i++) {
                assertThat(read[i]).as("label of row %d", i).isEqualTo(i / PER_CLASS);
            }
            // Row r is image (class r / 3, index r % 3), exactly as stored.
            Set<String> distinct = new HashSet<>();
            int rowBytes = SIZE * SIZE * 3;
            for (int r = 0; r < 30; r++) {
                Path png =
                        bucket(out)
                                .resolve(
                                        String.format(
                                                "evals/%s/%s-%04d/%04d.png",
                                                EVAL_ID, EVAL_ID, r / PER_CLASS, r % PER_CLASS));
                byte[] row =
                        java.util.Arrays.copyOfRange(images.data, r * rowBytes, (r + 1) * rowBytes);
                assertThat(row).as("row %d", r).isEqualTo(rgb(png));
                distinct.add(
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(row)));
            }
            assertThat(distinct).as("different seeds give different images").hasSizeGreaterThan(20);
        }

        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.path("format").asText()).isEqualTo("varflow-eval-manifest/1");
        assertThat(manifest.path("evalId").asText()).isEqualTo(EVAL_ID);
        assertThat(manifest.path("varflowVersion").asText()).isNotBlank();
        assertThat(manifest.path("model").path("name").asText()).isEqualTo("tiny");
        assertThat(manifest.path("model").path("config").path("num_classes").asInt()).isEqualTo(10);
        JsonNode checkpoints = manifest.path("model").path("checkpoints");
        assertThat(checkpoints).hasSize(2);
        assertThat(checkpoints.get(0).path("sha256").asText())
                .isEqualTo(sha256Resource("varflow/tiny/vae.pth"));
        assertThat(checkpoints.get(1).path("sha256").asText())
                .isEqualTo(sha256Resource("varflow/tiny/var.pth"));
        assertThat(manifest.path("sampling").path("cfg").asDouble()).isEqualTo(1.5);
        assertThat(manifest.path("sampling").path("topK").asInt()).isEqualTo(900);
        assertThat(manifest.path("seedBase").asLong()).isEqualTo(7);
        assertThat(manifest.path("images").asInt()).isEqualTo(30);
        assertThat(manifest.path("perClass").asInt()).isEqualTo(3);
        assertThat(manifest.path("classes")).hasSize(10);
        assertThat(manifest.path("imageSize").asInt()).isEqualTo(64);
        assertThat(manifest.path("npz").path("bytes").asLong())
                .isEqualTo(Files.size(out.resolve("samples.npz")));
        assertThat(manifest.path("timings").path("generationSeconds").asDouble()).isPositive();
        assertThat(manifest.path("storage").path("naming").asText())
                .isEqualTo("evals/it-eval/it-eval-{class:04d}/{index:04d}.png");
    }

    @Test
    @Order(2)
    void killedMidwayAndRestartedEndsWithTheSameThirtyImages() throws Exception {
        assertThat(uninterrupted).as("needs the uninterrupted run of the first test").isNotNull();
        Path out = work.resolve("restarted");
        Process child = startChild(args(out), work.resolve("killed-run.log"));
        List<ProcessHandle> family = new ArrayList<>();
        int before;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (storedPngs(out).isEmpty() && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            child.descendants().forEach(family::add); // the embedded broker's JVM
            child.destroyForcibly(); // kill -9: no shutdown hooks, no cleanup
            child.waitFor(60, TimeUnit.SECONDS);
        }
        for (ProcessHandle p : family) {
            // The broker notices its parent is gone (stdin closes) and exits by itself.
            p.onExit().get(60, TimeUnit.SECONDS);
        }
        before = storedPngs(out).size();
        assertThat(before)
                .as("the first run was killed midway (see killed-run.log)")
                .isBetween(1, 29);
        assertThat(out.resolve("samples.npz")).doesNotExist();

        int rc = VarflowCli.commandLine().execute(args(out).toArray(String[]::new));
        assertThat(rc).isZero();

        assertThat(storedPngs(out)).hasSize(30);
        assertThat(Files.readAllBytes(out.resolve("samples.npz")))
                .isEqualTo(Files.readAllBytes(uninterrupted.resolve("samples.npz")));
        for (Path png : storedPngs(uninterrupted)) {
            Path same = bucket(out).resolve(bucket(uninterrupted).relativize(png).toString());
            assertThat(Files.readAllBytes(same))
                    .as(same.toString())
                    .isEqualTo(Files.readAllBytes(png));
        }
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.path("timings").path("imagesFoundAtStart").asInt())
                .isGreaterThanOrEqualTo(before);
    }

    private static Process startChild(List<String> cliArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dai.djl.offline=true");
        // Same libtorch thread pool as this JVM's run: the thread count changes float summation
        // order,
        // and with it a few pixel values, so a byte-for-byte comparison needs it equal on both
        // sides.
        for (String property :
                List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads")) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        for (String pkg : List.of("java.lang", "java.util", "java.nio", "sun.nio.ch")) {
            command.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(VarflowCli.class.getName());
        command.addAll(cliArgs);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static Path bucket(Path out) {
        return out.resolve("embedded/s3/varflow");
    }

    private static List<Path> storedPngs(Path out) throws IOException {
        Path dir = bucket(out).resolve("evals/" + EVAL_ID);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
        }
    }

    private static byte[] rgb(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(SIZE);
        byte[] out = new byte[SIZE * SIZE * 3];
        for (int y = 0, o = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++, o += 3) {
                int p = image.getRGB(x, y);
                out[o] = (byte) (p >> 16);
                out[o + 1] = (byte) (p >> 8);
                out[o + 2] = (byte) p;
            }
        }
        return out;
    }

    private static String sha256Resource(String name) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = EvalCommandITCase.class.getClassLoader().getResourceAsStream(name)) {
            digest.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The header fields and data of a version 1.0 .npy member. */
    private static final class Npy {
        String descr;
        String shape;
        byte[] data;

        static Npy read(InputStream in) throws IOException {
            byte[] all = in.readAllBytes();
            assertThat(new String(all, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
            int len = (all[8] & 0xFF) | (all[9] & 0xFF) << 8;
            String dict = new String(all, 10, len, StandardCharsets.US_ASCII);
            Npy npy = new Npy();
            npy.descr = dict.replaceAll("(?s).*'descr': '([^']*)'.*", "$1");
            npy.shape = dict.replaceAll("(?s).*'shape': (\\([^)]*\\)).*", "$1");
            assertThat(dict).contains("'fortran_order': False");
            npy.data = java.util.Arrays.copyOfRange(all, 10 + len, all.length);
            return npy;
        }
    }
}
