package io.varflow.pipeline.report;

import io.varflow.model.BundledModel;
import io.varflow.model.config.ModelConfigs;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models a results page draws with, by the name token maps carry: the job's configured model
 * when its VQVAE is a local file, otherwise a bundled model of that name. Each VQVAE is loaded
 * once, on first use; {@link #close()} frees them.
 */
public final class PageModels implements AutoCloseable {

    private final JobConfig config;
    private final Map<String, Optional<ScaleStrips>> strips = new HashMap<>();

    public PageModels(JobConfig config) {
        this.config = config;
    }

    /** The strip renderer of model {@code name}, or null when its VQVAE is not at hand. */
    public ScaleStrips strips(String name) {
        return strips.computeIfAbsent(name, this::load).orElse(null);
    }

    /** Class names of model {@code name} (empty when it has none). */
    public List<String> classNames(String name) {
        return BundledModel.find(name).map(BundledModel::classNames).orElse(List.of());
    }

    private Optional<ScaleStrips> load(String name) {
        try {
            Optional<String> vae = config.find(JobOptions.MODEL_VAE);
            if (vae.isPresent() && name.equals(config.get(JobOptions.MODEL_NAME))) {
                Path file = Path.of(vae.get());
                if (vae.get().startsWith("s3://") || !Files.isRegularFile(file)) {
                    return Optional.empty();
                }
                return Optional.of(
                        ScaleStrips.load(
                                ModelConfigs.resolve(config.require(JobOptions.MODEL_CONFIG)),
                                file));
            }
            Optional<BundledModel> bundled = BundledModel.find(name);
            return bundled.isEmpty()
                    ? Optional.empty()
                    : Optional.of(ScaleStrips.load(bundled.get().config(), bundled.get().vae()));
        } catch (Exception e) {
            // The page then says the strip cannot be drawn; the run's results are unaffected.
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        strips.values().forEach(s -> s.ifPresent(ScaleStrips::close));
    }
}
