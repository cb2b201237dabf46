package io.varflow.pipeline.cli;

import io.varflow.model.GeneratedImage;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.io.Npy;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a result folder of generated (or edited) images in {@code sample}'s layout (through {@link
 * OutputFiles}): per image {@code image_NNN.png} and {@code image_NNN.tokens.safetensors} (a {@code
 * varflow.tokens.v1} token map), {@code images.npy} (float32 (B, 3, H, W) in [0, 1]) and {@code
 * tokens.json} ({@code {"images": [{label, seed, tokens_per_scale, ...attributes}], ...}}).
 */
final class SampleOutputWriter {

    /** One image with the string attributes stored in its token map and in tokens.json. */
    record Entry(GeneratedImage image, Map<String, String> attributes) {}

    private final Path dir;
    private final ModelConfig config;

    private SampleOutputWriter(Path dir, ModelConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** Creates {@code dir} (and parents); refuses a path that exists and is not a folder. */
    static SampleOutputWriter create(Path dir, ModelConfig config) throws IOException {
        return new SampleOutputWriter(OutputFiles.prepare(dir), config);
    }

    Path dir() {
        return dir;
    }

    /** File name stem of image {@code i}: {@code image_000}, {@code image_001}, … */
    static String stem(int i) {
        return OutputFiles.stem(i);
    }

    /**
     * Writes every image's files, images.npy and tokens.json (with {@code summary} as extra
     * top-level fields).
     */
    void write(List<Entry> entries, Map<String, Object> summary) throws IOException {
        int size = config.imageSize();
        int plane = 3 * size * size;
        float[] all = new float[entries.size() * plane];
        List<Map<String, Object>> json = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            GeneratedImage image = entries.get(i).image();
            Map<String, String> attributes = new LinkedHashMap<>(entries.get(i).attributes());
            attributes.putIfAbsent("index", Integer.toString(i));
            System.arraycopy(image.pixels(), 0, all, i * plane, plane);
            Files.write(
                    dir.resolve(stem(i) + ".png"), PngImages.encode(image.pixels(), size, size));
            TokenMap tokens =
                    new TokenMap(
                            config.name(),
                            config.patchNums(),
                            image.tokensPerScale(),
                            image.task().label(),
                            image.task().seed(),
                            image.task().sampling(),
                            attributes);
            TokenMapFile.write(tokens, dir.resolve(stem(i) + ".tokens.safetensors"));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", image.task().label());
            entry.put("seed", image.task().seed());
            entry.putAll(attributes);
            entry.put("tokens_per_scale", image.tokensPerScale());
            json.add(entry);
        }
        Npy.writeFloat32(
                dir.resolve("images.npy"), new long[] {entries.size(), 3, size, size}, all);
        Map<String, Object> root = new LinkedHashMap<>(summary);
        root.put("images", json);
        OutputFiles.writeJson(dir.resolve("tokens.json"), root);
    }
}
