package io.varflow.pipeline.cli;

import io.varflow.model.BundledModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.report.PixelImages;
import io.varflow.pipeline.report.ScaleStrips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code varflow show TOKENS.safetensors --out strip.png}: the coarse-to-fine strip of a stored
 * token map, the image decoded after each scale, left to right. The VQVAE is the bundled model the
 * token map names, or {@code --vae} with {@code --config}.
 */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = {
            "Draw the coarse-to-fine strip of a token map: the image decoded after each scale, coarse to fine.",
            "Uses the bundled model the file names, or --vae with --config (--var is not needed)."
        })
final class ShowCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions model = new ModelOptions();

    @Parameters(
            index = "0",
            paramLabel = "TOKENS",
            description = "A varflow.tokens.v1 file (*.tokens.safetensors).")
    Path tokens;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "PNG",
            description = "The strip to write (a .png file).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(tokens)) {
            throw new UserInputException(tokens + ": no such file");
        }
        TokenMap map;
        try {
            map = TokenMapFile.read(tokens);
        } catch (IOException e) {
            throw new UserInputException(e.getMessage());
        }
        try (ScaleStrips strips = open(map)) {
            String mismatch = strips.mismatch(map);
            if (mismatch != null) {
                throw new UserInputException(tokens + ": " + mismatch);
            }
            PngImages.Image strip = strips.strip(map);
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.write(out, PixelImages.png(strip));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "varflow show: %d scales %s of model %s, label %d, seed %d -> %s (%dx%d)%n",
                            map.patchNums().size(),
                            map.patchNums(),
                            strips.config().name(),
                            map.label(),
                            map.seed(),
                            out,
                            strip.width(),
                            strip.height());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private ScaleStrips open(TokenMap map) throws Exception {
        Path vae = model.vae();
        if (vae != null) {
            ModelConfig config = model.resolveConfig(false);
            return ScaleStrips.load(
                    config, ModelOptions.existing(vae, JobOptions.MODEL_VAE.flag().orElseThrow()));
        }
        BundledModel bundled =
                BundledModel.find(map.model())
                        .orElseThrow(
                                () ->
                                        new UserInputException(
                                                tokens
                                                        + " was made by model '"
                                                        + map.model()
                                                        + "', which is not bundled: give its "
                                                        + JobOptions.MODEL_VAE.flag().orElseThrow()
                                                        + " and "
                                                        + JobOptions.MODEL_CONFIG
                                                                .flag()
                                                                .orElseThrow()));
        return ScaleStrips.load(bundled.config(), bundled.vae());
    }
}
