package io.varflow.pipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the files under {@code deploy/} the way Docker Compose and kubectl would see them. */
final class DeployFiles {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern VARIABLE =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    private DeployFiles() {}

    static Path repoRoot() {
        String root = System.getProperty("varflow.repo.root");
        Path candidate = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
        if (!Files.isDirectory(candidate.resolve("deploy"))) {
            throw new IllegalStateException(
                    "no deploy/ under " + candidate + " (set -Dvarflow.repo.root)");
        }
        return candidate;
    }

    static Path deploy(String relative) {
        return repoRoot().resolve("deploy").resolve(relative);
    }

    static JsonNode yaml(Path file) throws IOException {
        return YAML.readTree(file.toFile());
    }

    /** Every document of a multi-document YAML file. */
    static List<JsonNode> yamlDocuments(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    /**
     * Compose's variable substitution with no variables set: {@code ${NAME:-default}} and {@code
     * ${NAME-default}} become the default, {@code ${NAME}} the empty string, {@code $$} a dollar.
     */
    static String interpolate(String text) {
        String escaped = text.replace("$$", "\u0000");
        Matcher m = VARIABLE.matcher(escaped);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(
                    out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(out);
        return out.toString().replace("\u0000", "$");
    }

    /** A service's {@code environment} (map or list form), interpolated. */
    static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service.path("environment");
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(e -> env.put(e.getKey(), interpolate(e.getValue().asText())));
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                String[] kv = item.asText().split("=", 2);
                env.put(kv[0], kv.length > 1 ? interpolate(kv[1]) : "");
            }
        }
        return env;
    }

    /**
     * {@code FLINK_PROPERTIES} (flat "key: value" YAML, as the Flink image appends it to its
     * configuration).
     */
    static Map<String, String> flinkProperties(JsonNode service) throws IOException {
        String text = environment(service).getOrDefault("FLINK_PROPERTIES", "");
        Map<String, String> properties = new LinkedHashMap<>();
        JsonNode parsed = YAML.readTree(text);
        if (parsed != null && parsed.isObject()) {
            parsed.fields()
                    .forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
        }
        return properties;
    }

    /**
     * Literal values of a Dockerfile's {@code ARG}/{@code ENV} name=value pairs (references to
     * others skipped).
     */
    static Map<String, String> dockerfileVariables(String dockerfile) {
        Map<String, String> vars = new LinkedHashMap<>();
        String joined = dockerfile.replaceAll("\\\\\\s*\\n", " ");
        for (String line : joined.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("ARG ") || trimmed.startsWith("ENV ")) {
                Matcher m =
                        Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\S+)")
                                .matcher(trimmed.substring(4));
                while (m.find()) {
                    if (!m.group(2).contains("${")) {
                        vars.put(m.group(1), m.group(2));
                    }
                }
            }
        }
        return vars;
    }
}
