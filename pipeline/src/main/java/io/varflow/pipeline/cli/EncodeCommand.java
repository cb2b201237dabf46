package io.varflow.pipeline.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.io.Npy;
import io.varflow.model.io.PngImages;
import io.varflow.model.vqvae.VqVae;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow encode}: images to multi-scale token maps with the VQVAE ({@code img_to_idxBl}),
 * writing {@code tokens.json} and {@code recon.npy} (the images decoded back from their tokens,
 * float32 (B, 3, H, W) in [−1, 1]). Images must already have the model's resolution.
 */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        description =
                "Encode images into multi-scale token maps with a VQVAE (default: the bundled tiny model).")
final class EncodeCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions model = new ModelOptions();

    static final class Input {
        @Option(
                names = "--images-npy",
                paramLabel = "X.npy",
                required = true,
                description = "float32 (B, 3, H, W) images in [-1, 1].")
        Path npy;

        @Option(
                names = "--images",
                paramLabel = "a.png,b.png",
                split = ",",
                required = true,
                description = "Image files (PNG or anything ImageIO reads), 8-bit RGB.")
        List<Path> files;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Mixin ForwardPassOptions pass = new ForwardPassOptions();

    @Override
    public Integer call() throws Exception {
        int batchSize = pass.batchSize();
        if (model.var() != null) {
            throw new UserInputException(
                    "encode uses only the VQVAE: give --vae (and --config), not --var");
        }
        boolean bundled = model.vae() == null;
        ModelConfig config = model.resolveConfig(bundled);
        RuntimeOptions runtime = model.runtime();
        int size = config.imageSize();
        float[] images =
                input.npy != null ? readNpy(input.npy, size) : readImages(input.files, size);
        int plane = 3 * size * size;
        int count = images.length / plane;
        Path vaeFile = model.vaeFile(bundled);
        Path dir = OutputFiles.prepare(pass.out());

        List<Map<String, Object>> entries = new ArrayList<>();
        float[] recon = new float[images.length];
        try (VqVae vqvae = VqVae.load(config, vaeFile, runtime);
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (int start = 0; start < count; start += batchSize) {
                int n = Math.min(batchSize, count - start);
                try (NDManager batch = manager.newSubManager()) {
                    NDArray x =
                            batch.create(
                                    Arrays.copyOfRange(images, start * plane, (start + n) * plane),
                                    new Shape(n, 3, size, size));
                    VqVae.Encoded encoded = vqvae.encodeAndReconstruct(x);
                    for (int[][] tokens : encoded.tokens()) {
                        entries.add(Map.of("tokens_per_scale", tokens));
                    }
                    float[] r = encoded.reconstruction().toFloatArray();
                    System.arraycopy(r, 0, recon, start * plane, r.length);
                }
            }
        }
        Npy.writeFloat32(dir.resolve("recon.npy"), new long[] {count, 3, size, size}, recon);
        OutputFiles.writeJson(dir.resolve("tokens.json"), Map.of("images", entries));
        spec.commandLine()
                .getOut()
                .println(
                        "varflow encode: "
                                + count
                                + " image(s) encoded with "
                                + config.name()
                                + " into "
                                + dir);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static float[] readNpy(Path file, int size) throws java.io.IOException {
        Npy.NpyArray array = Npy.read(file);
        long[] shape = array.shape();
        if (shape.length != 4
                || shape[0] < 1
                || shape[1] != 3
                || shape[2] != size
                || shape[3] != size) {
            throw new UserInputException(
                    "--images-npy "
                            + file
                            + ": expected shape (B, 3, "
                            + size
                            + ", "
                            + size
                            + "), got "
                            + Arrays.toString(shape));
        }
        if (!array.dtype().isFloatingPoint()) {
            throw new UserInputException(
                    "--images-npy "
                            + file
                            + ": expected float32 images in [-1, 1], got "
                            + array.dtype());
        }
        return array.floats();
    }

    private static float[] readImages(List<Path> files, int size) throws java.io.IOException {
        int plane = 3 * size * size;
        float[] all = new float[files.size() * plane];
        for (int i = 0; i < files.size(); i++) {
            Path file = ModelOptions.existing(files.get(i), "--images");
            PngImages.Image image = PngImages.decode(file);
            if (image.height() != size || image.width() != size) {
                throw new UserInputException(
                        "--images "
                                + file
                                + ": image is "
                                + image.width()
                                + "x"
                                + image.height()
                                + ", the model needs "
                                + size
                                + "x"
                                + size);
            }
            float[] chw = image.chw();
            for (int j = 0; j < plane; j++) {
                all[i * plane + j] = chw[j] * 2 - 1;
            }
        }
        return all;
    }
}
