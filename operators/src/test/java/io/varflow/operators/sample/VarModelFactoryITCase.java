package io.varflow.operators.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.UploadObjectArgs;
import io.varflow.model.GeneratedImage;
import io.varflow.model.ImageGenerator;
import io.varflow.model.ImageTask;
import io.varflow.model.RuntimeOptions;
import io.varflow.model.SamplingParams;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.testutil.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models whose checkpoints live in object storage are downloaded once and give the same images. */
class VarModelFactoryITCase {

    @Test
    void loadsCheckpointsFromS3IntoTheCacheAndGeneratesLikeTheBundledModel(@TempDir Path cache)
            throws Exception {
        Path config = BundledFiles.path("varflow/tiny/config.json");
        List<ImageTask> tasks =
                List.of(
                        new ImageTask(3, 42, SamplingParams.FID),
                        new ImageTask(7, 1, SamplingParams.FID));
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            s3.createBucket("models");
            for (String file : new String[] {"vae.pth", "var.pth"}) {
                s3.client()
                        .uploadObject(
                                UploadObjectArgs.builder()
                                        .bucket("models")
                                        .object("tiny/" + file)
                                        .filename(
                                                BundledFiles.path("varflow/tiny/" + file)
                                                        .toString())
                                        .build());
            }
            VarModelFactory factory =
                    new VarModelFactory(RuntimeOptions.CPU_FP32, s3.config("models", ""), cache);
            ModelSpec remote =
                    ModelSpec.of(
                            "tiny-s3",
                            config.toString(),
                            ModelSpec.tinyConfig(),
                            "s3://models/tiny/vae.pth",
                            "s3://models/tiny/var.pth",
                            4);
            List<GeneratedImage> fromS3;
            try (ImageGenerator generator = factory.open(remote, 0)) {
                assertThat(generator.config().name()).isEqualTo("tiny-s3");
                fromS3 = generator.generate(tasks);
            }
            assertThat(Files.list(cache.resolve("models")).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("tiny_vae.pth", "tiny_var.pth");
            List<GeneratedImage> bundled;
            try (ImageGenerator generator = factory.open(ModelSpec.tiny(4), 0)) {
                bundled = generator.generate(tasks);
            }
            for (int i = 0; i < tasks.size(); i++) {
                assertThat(fromS3.get(i).tokensPerScale())
                        .isDeepEqualTo(bundled.get(i).tokensPerScale());
            }

            ModelSpec missing =
                    ModelSpec.of(
                            "gone",
                            config.toString(),
                            ModelSpec.tinyConfig(),
                            "s3://models/none/vae.pth",
                            "s3://models/none/var.pth",
                            4);
            assertThatThrownBy(() -> factory.open(missing, 0))
                    .hasMessageContaining("s3://models/none/vae.pth")
                    .satisfies(
                            e ->
                                    assertThat(e.getMessage())
                                            .doesNotContain(S3ProxyServer.SECRET_KEY));
        }
    }
}
