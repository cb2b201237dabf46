package io.varflow.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The job's settings: typed values of the {@link JobOptions} declarations. Later sources win:
 * defaults, then a properties or YAML file, then {@code VARFLOW_*} environment variables, then
 * explicit settings ({@code --set} and flags). Every value is parsed and checked by {@link
 * Builder#build()}: a bad value is refused there, with its key, what it must be and where it came
 * from. {@link #toString()} and {@link #describe()} hide secrets.
 *
 * <pre>{@code
 * JobConfig config = JobConfig.builder()
 *         .file(Path.of("varflow.yaml"))
 *         .environment(System.getenv())
 *         .set("job.parallelism", "2")
 *         .build();
 * int parallelism = config.get(JobOptions.JOB_PARALLELISM);
 * }</pre>
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 2L;

    /** Parsed values of declared settings that some source set, by key. */
    private final Map<String, Object> values;

    /**
     * Where each value of {@link #values} came from, e.g. {@code environment VARFLOW_S3_BUCKET}.
     */
    private final Map<String, String> sources;

    /** {@code kafka.property.*} settings, prefix removed. */
    private final Map<String, String> kafkaPassthrough;

    private JobConfig(
            Map<String, Object> values,
            Map<String, String> sources,
            Map<String, String> kafkaPassthrough) {
        this.values = Map.copyOf(values);
        this.sources = Map.copyOf(sources);
        this.kafkaPassthrough = Map.copyOf(kafkaPassthrough);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Only defaults. */
    public static JobConfig defaults() {
        return builder().build();
    }

    /** The value, or the setting's default, or null when neither exists. */
    public <T> T get(Setting<T> setting) {
        Object value = values.get(setting.key());
        return value == null ? setting.defaultValue() : setting.type().valueClass().cast(value);
    }

    /** The value when there is one (an empty text counts as none). */
    public <T> Optional<T> find(Setting<T> setting) {
        T value = get(setting);
        return value == null || (value instanceof String s && s.isBlank())
                ? Optional.empty()
                : Optional.of(value);
    }

    /** The value; a missing value is the user's mistake, named by key and environment variable. */
    public <T> T require(Setting<T> setting) {
        return find(setting)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        setting.key()
                                                + " is required ("
                                                + setting.description()
                                                + "); set it with --set "
                                                + setting.key()
                                                + "=..., in the settings file or as "
                                                + setting.environmentVariable()
                                                + setting.flag()
                                                        .map(f -> " or with " + f)
                                                        .orElse("")));
    }

    /**
     * The effective value as the settings write it ({@code cpu}, {@code 10s}); {@code ""} when
     * unset.
     */
    public <T> String text(Setting<T> setting) {
        T value = get(setting);
        return value == null ? "" : setting.type().format(value);
    }

    /**
     * Where the effective value came from: {@code default}, {@code file F}, {@code environment V},
     * a flag.
     */
    public String source(Setting<?> setting) {
        return sources.getOrDefault(setting.key(), "default");
    }

    /**
     * Whether {@code setting} was given (file, environment, flag, code) rather than left at its
     * default.
     */
    public boolean isGiven(Setting<?> setting) {
        return sources.containsKey(setting.key());
    }

    /** Kafka client properties given with the {@code kafka.property.} prefix, prefix removed. */
    public Map<String, String> kafkaPassthrough() {
        return new TreeMap<>(kafkaPassthrough);
    }

    /** A copy with one more setting ({@code null} returns it to its default). */
    public <T> JobConfig with(Setting<T> setting, T value) {
        Map<String, Object> copy = new HashMap<>(values);
        Map<String, String> copySources = new HashMap<>(sources);
        if (value == null) {
            copy.remove(setting.key());
            copySources.remove(setting.key());
        } else {
            checked(setting, value);
            copy.put(setting.key(), value);
            copySources.put(setting.key(), "code");
        }
        return new JobConfig(copy, copySources, kafkaPassthrough);
    }

    /**
     * A copy in which {@code value} stands in for the setting's declared default, for a setting no
     * source set (one that was set keeps its value, even when it equals the declared default). Its
     * source reads {@code default of <whose>}.
     */
    public <T> JobConfig withDefault(Setting<T> setting, T value, String whose) {
        if (sources.containsKey(setting.key())) {
            return this;
        }
        JobConfig copy = with(setting, value);
        Map<String, String> copySources = new HashMap<>(copy.sources);
        copySources.put(setting.key(), "default of " + whose);
        return new JobConfig(copy.values, copySources, kafkaPassthrough);
    }

    private static <T> void checked(Setting<T> setting, T value) {
        try {
            setting.parse(setting.type().format(value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    setting.key() + " " + e.getMessage() + ", got '" + value + "'");
        }
    }

    /** Every explicitly set value, secrets shown as {@code ****}; for logs. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("JobConfig{");
        String separator = "";
        for (Setting<?> setting : JobOptions.all().values()) {
            if (values.containsKey(setting.key())) {
                out.append(separator).append(setting.key()).append('=').append(shown(setting));
                separator = ", ";
            }
        }
        for (Map.Entry<String, String> e : kafkaPassthrough().entrySet()) {
            out.append(separator)
                    .append(JobOptions.KAFKA_PASSTHROUGH_PREFIX)
                    .append(e.getKey())
                    .append('=')
                    .append(isSecretProperty(e.getKey()) ? "****" : e.getValue());
            separator = ", ";
        }
        return out.append('}').toString();
    }

    /**
     * Every declared setting with its effective value (secrets hidden), one {@code key=value} per
     * line, each value not a default preceded by a comment naming its source; a file {@code
     * --settings} reads back. For {@code --print-config}.
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (Setting<?> setting : JobOptions.all().values()) {
            if (sources.containsKey(setting.key())) {
                out.append("# from ").append(source(setting)).append('\n');
            }
            out.append(setting.key()).append('=').append(shown(setting)).append('\n');
        }
        kafkaPassthrough()
                .forEach(
                        (k, v) ->
                                out.append(JobOptions.KAFKA_PASSTHROUGH_PREFIX)
                                        .append(k)
                                        .append('=')
                                        .append(isSecretProperty(k) ? "****" : v)
                                        .append('\n'));
        return out.toString();
    }

    private <T> String shown(Setting<T> setting) {
        T value = get(setting);
        if (value == null) {
            return "";
        }
        return setting.secret() ? "****" : setting.type().format(value);
    }

    /** Pass-through Kafka properties that look like secrets are hidden as well. */
    private static boolean isSecretProperty(String property) {
        String lower = property.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("jaas");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobConfig other
                && values.equals(other.values)
                && kafkaPassthrough.equals(other.kafkaPassthrough);
    }

    @Override
    public int hashCode() {
        return values.hashCode() * 31 + kafkaPassthrough.hashCode();
    }

    /**
     * Collects settings from the sources in order; each call overrides what earlier calls set.
     * Texts are parsed by {@link #build()}, which refuses every bad value at once.
     */
    public static final class Builder {
        /** Raw text (or an already typed value) of each set key, with its source. */
        private final Map<String, Given> given = new LinkedHashMap<>();

        private final Map<String, String> kafkaPassthrough = new LinkedHashMap<>();

        private record Given(Object value, boolean text, String source) {}

        private Builder() {}

        /**
         * Reads a {@code .properties}, {@code .yaml} or {@code .yml} file; nested YAML keys join
         * with dots.
         */
        public Builder file(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString());
            }
            String source = "file " + file;
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                JsonNode root;
                try {
                    root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
                } catch (IOException e) {
                    throw new IOException(file + " is not valid YAML: " + e.getMessage(), e);
                }
                if (root != null && !root.isNull()) {
                    if (!root.isObject()) {
                        throw new IOException(
                                file + ": expected a mapping of settings at the top level");
                    }
                    flatten("", root, source);
                }
            } else {
                Properties properties = new Properties();
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    properties.load(in);
                }
                for (String key : properties.stringPropertyNames()) {
                    put(key, properties.getProperty(key), source);
                }
            }
            return this;
        }

        private void flatten(String prefix, JsonNode node, String source) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = prefix + field.getKey();
                JsonNode value = field.getValue();
                if (value.isObject()) {
                    flatten(key + ".", value, source);
                } else if (value.isNull()) {
                    given.remove(key);
                    kafkaPassthrough.remove(passthroughName(key));
                } else if (value.isValueNode()) {
                    put(key, value.asText(), source);
                } else if (value.isArray() && key.equals(JobOptions.MODELS.key())) {
                    put(key, modelList(key, value, source), source);
                } else {
                    throw new IllegalArgumentException(
                            source + ": " + key + " must be a single value, not a list");
                }
            }
        }

        /**
         * A YAML list of model mappings as the text form of {@link ModelEntries}; a list of indexes
         * under {@code subtasks} is joined with {@code +}.
         */
        private static String modelList(String key, JsonNode list, String source) {
            List<String> entries = new ArrayList<>();
            for (JsonNode entry : list) {
                if (!entry.isObject()) {
                    throw new IllegalArgumentException(
                            source + ": " + key + " must be a list of mappings (name: ...)");
                }
                List<String> fields = new ArrayList<>();
                entry.fields()
                        .forEachRemaining(
                                field -> {
                                    List<String> parts = new ArrayList<>();
                                    field.getValue().forEach(part -> parts.add(part.asText()));
                                    String value =
                                            field.getValue().isArray()
                                                    ? String.join("+", parts)
                                                    : field.getValue().asText();
                                    if (field.getValue().isObject()
                                            || value.contains(",")
                                            || value.contains(";")) {
                                        throw new IllegalArgumentException(
                                                source
                                                        + ": "
                                                        + key
                                                        + "."
                                                        + field.getKey()
                                                        + " must be a single value without ',' or ';'");
                                    }
                                    fields.add(field.getKey() + "=" + value);
                                });
                entries.add(String.join(",", fields));
            }
            return String.join(";", entries);
        }

        /**
         * Reads the {@code VARFLOW_*} variables of declared settings from the given environment.
         */
        public Builder environment(Map<String, String> environment) {
            for (Setting<?> setting : JobOptions.all().values()) {
                String value = environment.get(setting.environmentVariable());
                if (value != null) {
                    given.put(
                            setting.key(),
                            new Given(value, true, "environment " + setting.environmentVariable()));
                }
            }
            return this;
        }

        /**
         * One explicit setting as text ({@code --set}); an unknown key is rejected with the list of
         * known ones.
         */
        public Builder set(String key, String value) {
            return put(key, value, "--set");
        }

        /** Parses {@code key=value}. */
        public Builder setAssignment(String assignment) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--set expects key=value, got '" + assignment + "'");
            }
            return set(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
        }

        /**
         * The text of a command line flag mirroring {@code setting}; null leaves the setting as it
         * is.
         */
        public Builder flag(Setting<?> setting, String text) {
            if (text != null) {
                given.put(setting.key(), new Given(text, true, setting.flag().orElse("flag")));
            }
            return this;
        }

        /**
         * A typed value set by code (tests, the embedded stack); null leaves the setting as it is.
         */
        public <T> Builder set(Setting<T> setting, T value) {
            if (value != null) {
                given.put(setting.key(), new Given(value, false, "code"));
            }
            return this;
        }

        private Builder put(String key, String value, String source) {
            String k = key.trim();
            if (k.startsWith(JobOptions.KAFKA_PASSTHROUGH_PREFIX)) {
                kafkaPassthrough.put(passthroughName(k), value);
                return this;
            }
            if (!JobOptions.all().containsKey(k)) {
                throw new IllegalArgumentException(
                        source
                                + ": unknown setting '"
                                + k
                                + "'; known settings: "
                                + String.join(", ", JobOptions.all().keySet())
                                + " and "
                                + JobOptions.KAFKA_PASSTHROUGH_PREFIX
                                + "*");
            }
            given.put(k, new Given(value, true, source));
            return this;
        }

        private static String passthroughName(String key) {
            return key.substring(
                    Math.min(key.length(), JobOptions.KAFKA_PASSTHROUGH_PREFIX.length()));
        }

        /**
         * Parses and checks every value; every bad value is named, with its source, in one
         * exception.
         */
        public JobConfig build() {
            Map<String, Object> values = new HashMap<>();
            Map<String, String> sources = new HashMap<>();
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, Given> e : given.entrySet()) {
                Setting<?> setting = JobOptions.all().get(e.getKey());
                Given g = e.getValue();
                String text = g.text() ? (String) g.value() : format(setting, g.value());
                try {
                    values.put(setting.key(), setting.parse(text));
                    sources.put(setting.key(), g.source());
                } catch (IllegalArgumentException ex) {
                    problems.add(
                            setting.key()
                                    + " "
                                    + ex.getMessage()
                                    + ", got '"
                                    + (setting.secret() ? "****" : text)
                                    + "' (from "
                                    + g.source()
                                    + ")");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return new JobConfig(values, sources, kafkaPassthrough);
        }

        @SuppressWarnings("unchecked")
        private static <T> String format(Setting<T> setting, Object value) {
            return setting.type().format((T) setting.type().valueClass().cast(value));
        }
    }
}
