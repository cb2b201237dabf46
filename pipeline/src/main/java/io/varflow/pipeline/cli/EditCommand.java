package io.varflow.pipeline.cli;

import ai.djl.ndarray.NDArray;
import io.varflow.model.BundledModel;
import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageTask;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.edit.EditImages;
import io.varflow.model.edit.EditMode;
import io.varflow.model.edit.EditRegion;
import io.varflow.model.edit.EditSource;
import io.varflow.model.edit.EditSpec;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code varflow edit}: zero-shot in-painting, out-painting, class-conditional editing and
 * variations of an image or of a varflow token map, into a folder laid out like {@code sample}'s
 * (see {@link SampleOutputWriter}) plus {@code source.png} (the source as the model sees it),
 * {@code mask.png} (white = regenerated at the last scale; not for variations) and {@code
 * overview.png} (source, mask and results side by side).
 */
@Command(
        name = "edit",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Edit an image (or a token map) with a VAR model: inpaint, outpaint, class-edit or variation.",
            "Default model: the bundled tiny fixture model."
        })
public final class EditCommand implements Callable<Integer> {

    static final class Source {
        @Option(
                names = "--image",
                paramLabel = "in.png",
                description = "Source image (resized to the model's size).")
        Path image;

        @Option(
                names = "--tokens",
                paramLabel = "t.safetensors",
                description =
                        "Source token maps: a varflow token-map file (e.g. image_000.tokens.safetensors).")
        Path tokens;
    }

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions model = new ModelOptions();

    @Mixin SamplingOptions samplingOptions = new SamplingOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
            names = "--mode",
            required = true,
            paramLabel = "MODE",
            description = "inpaint | outpaint | class-edit | variation")
    String mode;

    @Option(
            names = "--box",
            paramLabel = "x0,y0,x1,y1",
            description =
                    "Region in fractions of width/height (repeatable: union). Regenerated for inpaint and "
                            + "class-edit, kept for outpaint.")
    List<String> boxes = new ArrayList<>();

    @Option(
            names = "--mask",
            paramLabel = "m.png",
            description = "Region as a mask image (white marks), any size.")
    Path mask;

    @Option(
            names = "--class",
            paramLabel = "L",
            description =
                    "Class label, a number or the model's class name: required for class-edit; default the null "
                            + "class for inpaint/outpaint and the token map's label for variation.")
    String label;

    @Option(
            names = "--keep-scales",
            paramLabel = "K",
            description = "variation: keep scales 0..K-1 of the source.")
    Integer keepScales;

    @Option(
            names = "--count",
            defaultValue = "1",
            description = "Variants to make (default: ${DEFAULT-VALUE}).")
    int count;

    @Mixin ForwardPassOptions pass = new ForwardPassOptions();

    @Option(
            names = "--seed",
            defaultValue = "0",
            description =
                    "Base seed; variant i uses the job's per-image seed of (seed, i) (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        EditMode editMode = EditMode.parse(mode);
        checkArguments(editMode);
        boolean bundled = model.bundled();
        ModelConfig modelConfig = model.resolveConfig(bundled);
        RuntimeOptions runtime = model.runtime();
        SamplingParams sampling = samplingOptions.params();
        PrintWriter stdout = spec.commandLine().getOut();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mode", editMode.wireName());

        // The source: token maps as stored, or the image resized to the model's resolution.
        EditSource editSource;
        float[] sourcePixels = null;
        Integer sourceLabel = null;
        int size = modelConfig.imageSize();
        if (source.image != null) {
            PngImages.Image image =
                    PngImages.decode(ModelOptions.existing(source.image, "--image"));
            summary.put("source", source.image.toString());
            if (image.height() != size || image.width() != size) {
                stdout.printf(
                        "varflow edit: source %s is %dx%d, resized to %dx%d for model %s%n",
                        source.image,
                        image.width(),
                        image.height(),
                        size,
                        size,
                        modelConfig.name());
                summary.put("source_resized_from", image.width() + "x" + image.height());
            }
            sourcePixels = EditImages.resize(image.chw(), image.height(), image.width(), size);
            editSource = new EditSource.Image(sourcePixels, size);
        } else {
            TokenMap map = TokenMapFile.read(ModelOptions.existing(source.tokens, "--tokens"));
            if (!map.patchNums().equals(modelConfig.patchNums())) {
                throw new UserInputException(
                        "--tokens "
                                + source.tokens
                                + " holds scales "
                                + map.patchNums()
                                + " of model "
                                + map.model()
                                + ", model "
                                + modelConfig.name()
                                + " has "
                                + modelConfig.patchNums());
            }
            summary.put("source", source.tokens.toString());
            editSource = new EditSource.Tokens(map.tokensPerScale());
            sourceLabel = map.label();
        }
        int taskLabel = labelFor(editMode, modelConfig, sourceLabel);
        EditSpec edit =
                switch (editMode) {
                    case VARIATION -> EditSpec.variation(editSource, keepScales);
                    default -> new EditSpec(editMode, editSource, region(), 0);
                };
        edit.validate(modelConfig);
        if (edit.region() != null) {
            summary.put("region", edit.region().toString());
        }
        if (editMode == EditMode.VARIATION) {
            summary.put("keep_scales", keepScales);
        }

        List<ImageTask> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(new ImageTask(taskLabel, TaskSeeds.forImage(seed, i), sampling, edit));
        }
        SampleOutputWriter writer = SampleOutputWriter.create(pass.out(), modelConfig);
        List<GeneratedImage> results;
        Path vaeFile = model.vaeFile(bundled);
        Path varFile = model.varFile(bundled);
        try (VarModel varModel = VarModel.load(modelConfig, vaeFile, varFile, runtime)) {
            results = new ArrayList<>();
            for (int start = 0; start < tasks.size(); start += pass.batchSize()) {
                results.addAll(
                        varModel.generate(
                                tasks.subList(
                                        start, Math.min(tasks.size(), start + pass.batchSize()))));
            }
            if (sourcePixels == null) {
                sourcePixels = decode(varModel, ((EditSource.Tokens) editSource).perScale());
            }
        }
        List<SampleOutputWriter.Entry> entries = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("index", Integer.toString(i));
            attributes.put("base_seed", Long.toString(seed));
            attributes.put("edit_mode", editMode.wireName());
            if (edit.region() != null) {
                attributes.put("edit_region", edit.region().toString());
            } else {
                attributes.put("keep_scales", Integer.toString(keepScales));
            }
            entries.add(new SampleOutputWriter.Entry(results.get(i), attributes));
        }
        writer.write(entries, summary);
        float[] maskPixels = edit.region() == null ? null : EditSheet.maskImage(edit, modelConfig);
        Path dir = writer.dir();
        Files.write(dir.resolve("source.png"), PngImages.encode(sourcePixels, size, size));
        if (maskPixels != null) {
            Files.write(dir.resolve("mask.png"), PngImages.encode(maskPixels, size, size));
        }
        List<float[]> row = new ArrayList<>();
        row.add(sourcePixels);
        if (maskPixels != null) {
            row.add(maskPixels);
        }
        results.forEach(r -> row.add(r.pixels()));
        Files.write(dir.resolve("overview.png"), EditSheet.sideBySide(List.of(row), size));
        stdout.println(
                "varflow edit: "
                        + results.size()
                        + " "
                        + editMode.wireName()
                        + " result(s) of "
                        + modelConfig.name()
                        + " written to "
                        + dir);
        stdout.flush();
        return 0;
    }

    private void checkArguments(EditMode editMode) {
        model.bundled(); // refuses one checkpoint without the other before anything is read
        if (count < 1) {
            throw new UserInputException("--count must be >= 1, got " + count);
        }
        pass.batchSize(); // refuses a batch size below 1 before any work
        if (editMode == EditMode.VARIATION) {
            if (keepScales == null) {
                throw new UserInputException("variation needs --keep-scales K");
            }
            if (!boxes.isEmpty() || mask != null) {
                throw new UserInputException(
                        "variation keeps whole scales: --box and --mask do not apply");
            }
        } else {
            if (keepScales != null) {
                throw new UserInputException("--keep-scales applies to variation only");
            }
            if (boxes.isEmpty() == (mask == null)) {
                throw new UserInputException(
                        editMode.wireName()
                                + " needs a region: --box x0,y0,x1,y1 or --mask m.png"
                                + " (not both)");
            }
        }
        if (editMode == EditMode.CLASS_EDIT && label == null) {
            throw new UserInputException("class-edit needs --class L");
        }
    }

    private static java.util.List<String> classNames(ModelConfig modelConfig) {
        return BundledModel.find(modelConfig.name())
                .map(BundledModel::classNames)
                .orElse(java.util.List.of());
    }

    private int labelFor(EditMode editMode, ModelConfig modelConfig, Integer sourceLabel) {
        int nullClass = modelConfig.numClasses();
        int chosen;
        if (label != null) {
            chosen =
                    ClassLabels.resolve(
                                    java.util.List.of(label), classNames(modelConfig), "--class")
                            .get(0);
        } else if (editMode == EditMode.VARIATION) {
            if (sourceLabel == null) {
                throw new UserInputException(
                        "a variation of an image needs --class L (a token map carries its label)");
            }
            chosen = sourceLabel;
        } else {
            chosen = nullClass; // the official in-/out-painting label
        }
        if (chosen < 0 || chosen > nullClass) {
            throw new UserInputException(
                    "class "
                            + chosen
                            + " is outside 0.."
                            + nullClass
                            + " of model "
                            + modelConfig.name()
                            + " ("
                            + nullClass
                            + " is the null class)");
        }
        return chosen;
    }

    private EditRegion region() throws java.io.IOException {
        if (mask != null) {
            PngImages.Image image = PngImages.decode(ModelOptions.existing(mask, "--mask"));
            return EditRegion.maskFromImage(image.chw(), image.width(), image.height());
        }
        return EditRegion.boxes(
                boxes.stream().map(EditRegion.Box::parse).collect(Collectors.toList()));
    }

    private static float[] decode(VarModel model, int[][] tokens) {
        try (NDArray image = model.vqvae().decodeTokens(List.<int[][]>of(tokens))) {
            float[] pixels = image.toFloatArray();
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (pixels[i] + 1f) * 0.5f;
            }
            return pixels;
        }
    }
}
