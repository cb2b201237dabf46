package io.varflow.pipeline.eval;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.errors.MinioException;
import io.varflow.model.BundledModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.pipeline.cli.UserInputException;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The model an evaluation set was made with, as the manifest records it: its name, config and the
 * SHA-256 of each checkpoint file. Read from the same settings the job uses ({@code model.*}):
 * local files or {@code s3://} objects; with no checkpoints set, the resources of the bundled model
 * that model.name names.
 *
 * @param name the name requests use for the model
 * @param config the model's config
 * @param checkpoints one entry per checkpoint, VQVAE first
 */
public record ModelIdentity(
        String name, ModelConfig config, List<EvalManifest.Checkpoint> checkpoints) {

    /** Resource folder of the bundled tiny model. */
    static final String TINY = "varflow/tiny/";

    /** Hashes the checkpoints that {@code config}'s model settings name (reads every byte once). */
    public static ModelIdentity of(JobConfig config) throws IOException {
        String name = config.get(JobOptions.MODEL_NAME);
        Optional<String> vae = config.find(JobOptions.MODEL_VAE);
        Optional<String> var = config.find(JobOptions.MODEL_VAR);
        Optional<String> modelConfig = config.find(JobOptions.MODEL_CONFIG);
        List<EvalManifest.Checkpoint> checkpoints = new ArrayList<>();
        if (vae.isEmpty() && var.isEmpty()) {
            boolean tiny = name.equals(ModelSpec.BUNDLED_TINY);
            String dir = tiny ? TINY : "varflow/" + name + "/";
            checkpoints.add(resource("vae", dir + "vae.pth"));
            checkpoints.add(resource("var", dir + "var.pth"));
            ModelConfig bundled =
                    modelConfig
                            .map(ModelConfigs::resolve)
                            .orElseGet(
                                    () ->
                                            tiny
                                                    ? tinyConfig()
                                                    : BundledModel.require(name).config());
            return new ModelIdentity(name, bundled, List.copyOf(checkpoints));
        }
        if (vae.isEmpty() || var.isEmpty()) {
            throw new UserInputException(
                    "--vae and --var go together: give both checkpoints or neither (tiny model)");
        }
        if (modelConfig.isEmpty()) {
            throw new UserInputException(
                    "--config is required with --vae/--var (a preset such as d16, or a config.json)");
        }
        checkpoints.add(checkpoint("vae", vae.get(), config));
        checkpoints.add(checkpoint("var", var.get(), config));
        return new ModelIdentity(
                name, ModelConfigs.resolve(modelConfig.get()), List.copyOf(checkpoints));
    }

    /** The manifest's {@code model} section. */
    public EvalManifest.Model toManifest() {
        return new EvalManifest.Model(
                name, EvalManifest.tree(ModelConfigs.toJson(config)), checkpoints);
    }

    /** A local file, or an {@code s3://bucket/key} object read through the job's S3 settings. */
    private static EvalManifest.Checkpoint checkpoint(
            String role, String location, JobConfig config) throws IOException {
        if (!location.startsWith("s3://")) {
            return file(role, Path.of(location));
        }
        URI uri = URI.create(location);
        String key = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
        MinioClient client =
                MinioClient.builder()
                        .endpoint(config.require(JobOptions.S3_ENDPOINT))
                        .region(config.require(JobOptions.S3_REGION))
                        .credentials(
                                config.require(JobOptions.S3_ACCESS_KEY),
                                config.require(JobOptions.S3_SECRET_KEY))
                        .build();
        try (InputStream in =
                client.getObject(
                        GetObjectArgs.builder().bucket(uri.getHost()).object(key).build())) {
            FileDigests.Digest digest = FileDigests.sha256(in);
            return new EvalManifest.Checkpoint(role, location, digest.bytes(), digest.sha256());
        } catch (MinioException e) {
            throw new IOException("cannot read checkpoint " + location + ": " + e.getMessage(), e);
        } finally {
            try {
                client.close();
            } catch (Exception ignored) {
                // Only releases the HTTP client's connection pool.
            }
        }
    }

    private static EvalManifest.Checkpoint file(String role, Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString());
        }
        return new EvalManifest.Checkpoint(
                role, path.toAbsolutePath().toString(), Files.size(path), FileDigests.sha256(path));
    }

    private static EvalManifest.Checkpoint resource(String role, String resource)
            throws IOException {
        try (InputStream in = ModelIdentity.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new NoSuchFileException("classpath:" + resource);
            }
            FileDigests.Digest digest = FileDigests.sha256(in);
            return new EvalManifest.Checkpoint(
                    role, "classpath:" + resource, digest.bytes(), digest.sha256());
        }
    }

    private static ModelConfig tinyConfig() {
        return ModelSpec.tinyConfig();
    }
}
