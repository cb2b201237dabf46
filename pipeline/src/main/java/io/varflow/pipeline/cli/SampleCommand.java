package io.varflow.pipeline.cli;

import io.varflow.model.BundledModel;
import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageTask;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.io.Npy;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow sample}: class-conditional generation into a folder: {@code tokens.json}, {@code
 * images.npy} (float32 (B, 3, H, W) in [0, 1]), and per image {@code image_NNN.png} and {@code
 * image_NNN.tokens.safetensors} (a {@code varflow.tokens.v1} token map).
 *
 * <p>Image {@code i} (0-based, in {@code --classes} order) is sampled with seed {@link
 * TaskSeeds#forImage(long, int) TaskSeeds.forImage(--seed, i)}, the derivation the streaming job
 * uses for image {@code i} of a request, so an image does not depend on the batch it was drawn in.
 */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description =
                "Generate class-conditional images with a VAR model (default: the bundled tiny model).")
final class SampleCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions model = new ModelOptions();

    @Mixin SamplingOptions samplingOptions = new SamplingOptions();

    @Option(
            names = "--classes",
            paramLabel = "0,1,9",
            split = ",",
            defaultValue = "0",
            description =
                    "Class labels (numbers or the model's class names, e.g. sneaker,bag), one image each, in "
                            + "output order (default: ${DEFAULT-VALUE}).")
    List<String> classNames;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description =
                    "Base seed; image i uses TaskSeeds.forImage(seed, i) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin ForwardPassOptions pass = new ForwardPassOptions();

    @Override
    public Integer call() throws Exception {
        int batchSize = pass.batchSize();
        if (classNames.isEmpty()) {
            throw new UserInputException("--classes is empty");
        }
        SamplingParams sampling = samplingOptions.params();
        boolean bundled = model.bundled();
        ModelConfig config = model.resolveConfig(bundled);
        List<Integer> classes =
                ClassLabels.resolve(
                        classNames,
                        BundledModel.find(config.name())
                                .map(BundledModel::classNames)
                                .orElse(List.of()),
                        "--classes");
        for (int label : classes) {
            if (label < 0 || label >= config.numClasses()) {
                throw new UserInputException(
                        "--classes: label "
                                + label
                                + " is outside [0, "
                                + config.numClasses()
                                + ") of model "
                                + config.name());
            }
        }
        RuntimeOptions runtime = model.runtime();
        Path vaeFile = model.vaeFile(bundled);
        Path varFile = model.varFile(bundled);
        Path dir = OutputFiles.prepare(pass.out());

        List<ImageTask> tasks = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            tasks.add(new ImageTask(classes.get(i), TaskSeeds.forImage(seed, i), sampling));
        }
        List<GeneratedImage> images = new ArrayList<>();
        try (VarModel varModel = VarModel.load(config, vaeFile, varFile, runtime)) {
            for (int start = 0; start < tasks.size(); start += batchSize) {
                images.addAll(
                        varModel.generate(
                                tasks.subList(start, Math.min(tasks.size(), start + batchSize))));
            }
        }

        int size = config.imageSize();
        int plane = 3 * size * size;
        float[] all = new float[images.size() * plane];
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            GeneratedImage image = images.get(i);
            System.arraycopy(image.pixels(), 0, all, i * plane, plane);
            Files.write(
                    dir.resolve(OutputFiles.stem(i) + ".png"),
                    PngImages.encode(image.pixels(), size, size));
            TokenMap tokens =
                    new TokenMap(
                            config.name(),
                            config.patchNums(),
                            image.tokensPerScale(),
                            image.task().label(),
                            image.task().seed(),
                            sampling,
                            Map.of("index", Integer.toString(i), "base_seed", Long.toString(seed)));
            TokenMapFile.write(tokens, dir.resolve(OutputFiles.stem(i) + ".tokens.safetensors"));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", image.task().label());
            entry.put("seed", image.task().seed());
            entry.put("tokens_per_scale", image.tokensPerScale());
            entries.add(entry);
        }
        Npy.writeFloat32(dir.resolve("images.npy"), new long[] {images.size(), 3, size, size}, all);
        OutputFiles.writeJson(dir.resolve("tokens.json"), Map.of("images", entries));
        spec.commandLine()
                .getOut()
                .println(
                        "varflow sample: "
                                + images.size()
                                + " image(s) of "
                                + config.name()
                                + " written to "
                                + dir);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
