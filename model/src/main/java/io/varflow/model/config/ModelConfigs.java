package io.varflow.model.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Named presets of the published models and JSON config files. */
public final class ModelConfigs {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    private static final List<Integer> PATCH_NUMS_256 = List.of(1, 2, 3, 4, 5, 6, 8, 10, 13, 16);

    private ModelConfigs() {}

    /**
     * The published 256 px ImageNet models: VQVAE {@code vae_ch160v4096z32} with VAR of this depth.
     */
    public static ModelConfig imagenet256(int depth) {
        return new ModelConfig(
                "d" + depth,
                4096,
                32,
                160,
                List.of(1, 1, 2, 2, 4),
                4,
                0.5,
                PATCH_NUMS_256,
                depth,
                64 * depth,
                depth,
                1000,
                false,
                true,
                1e-6,
                256);
    }

    /** Preset names and their configs, in order of size. */
    public static Map<String, ModelConfig> presets() {
        Map<String, ModelConfig> presets = new TreeMap<>();
        for (int depth : new int[] {16, 20, 24, 30}) {
            presets.put("d" + depth, imagenet256(depth));
        }
        return presets;
    }

    /**
     * A preset name ({@code d16}, {@code d20}, {@code d24}, {@code d30}) or the path of a JSON file
     * holding the config's fields, either at the top level or under {@code "config"} (as in the
     * fixture's {@code golden.json}).
     */
    public static ModelConfig resolve(String presetOrPath) {
        ModelConfig preset = presets().get(presetOrPath);
        if (preset != null) {
            return preset;
        }
        Path path = Path.of(presetOrPath);
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(
                    "config '"
                            + presetOrPath
                            + "' is neither a preset "
                            + presets().keySet()
                            + " nor a readable JSON file");
        }
        return read(path);
    }

    /** Reads a JSON config file; the model is named after the file unless it names itself. */
    public static ModelConfig read(Path path) {
        try {
            JsonNode root = JSON.readTree(path.toFile());
            JsonNode node =
                    root.has("config") && root.get("config").isObject() ? root.get("config") : root;
            ModelConfig config = JSON.treeToValue(node, ModelConfig.class);
            if (!node.has("name")) {
                String file = path.getFileName().toString();
                config =
                        config.withName(
                                file.endsWith(".json")
                                        ? file.substring(0, file.length() - 5)
                                        : file);
            }
            return config;
        } catch (ConfigException e) {
            throw new ConfigException(path + ": " + e.getMessage(), e);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof ConfigException ? e.getCause() : e;
            throw new ConfigException(
                    path + ": not a valid model config: " + firstLine(cause.getMessage()), e);
        }
    }

    public static String toJson(ModelConfig config) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
