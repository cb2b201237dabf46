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
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's settings: an immutable map from {@link JobOptions} keys to values. Later sources win:
 * defaults, then a properties or YAML file, then {@code VARFLOW_*} environment variables, then
 * explicit settings (command line flags). {@link #toString()} hides secrets.
 *
 * <pre>{@code
 * JobConfig config = JobConfig.builder()
 *         .file(Path.of("varflow.yaml"))
 *         .environment(System.getenv())
 *         .set("job.parallelism", "2")
 *         .build();
 * String bootstrap = config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
 * }</pre>
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    private final Map<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Only defaults. */
    public static JobConfig defaults() {
        return builder().build();
    }

    /** The value, or the option's default, or null when neither exists. */
    public String get(ConfigOption option) {
        return values.getOrDefault(option.key(), option.defaultValue());
    }

    public Optional<String> find(ConfigOption option) {
        String value = get(option);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** The value; a missing value is the user's mistake, named by key and environment variable. */
    public String require(ConfigOption option) {
        return find(option)
                .orElseThrow(
                        () -> new IllegalArgumentException(
                                option.key() + " is required (" + option.description() + "); set it with --set "
                                        + option.key() + "=..., in the config file or as "
                                        + option.environmentVariable()));
    }

    public int getInt(ConfigOption option) {
        String value = require(option);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option.key() + " must be an integer, got '" + value + "'");
        }
    }

    public int getPositiveInt(ConfigOption option) {
        int value = getInt(option);
        if (value < 1) {
            throw new IllegalArgumentException(option.key() + " must be at least 1, got " + value);
        }
        return value;
    }

    /** {@code true} or {@code false}; anything else is refused naming the key. */
    public boolean getBoolean(ConfigOption option) {
        String value = require(option).trim();
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(option.key() + " must be true or false, got '" + value + "'");
        }
        return value.equals("true");
    }

    /** Durations are written {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601. */
    public Duration getDuration(ConfigOption option) {
        return parseDuration(option.key(), require(option));
    }

    public static Duration parseDuration(String key, String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(value);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key + " must be a duration like 500ms, 10s, 5m or PT10S, got '" + text + "'");
        }
    }

    /** Kafka client properties given with the {@code kafka.property.} prefix, prefix removed. */
    public Map<String, String> kafkaPassthrough() {
        Map<String, String> result = new TreeMap<>();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(JobOptions.KAFKA_PASSTHROUGH_PREFIX)) {
                        result.put(k.substring(JobOptions.KAFKA_PASSTHROUGH_PREFIX.length()), v);
                    }
                });
        return result;
    }

    /** A copy with one more setting. */
    public JobConfig with(ConfigOption option, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        if (value == null) {
            copy.remove(option.key());
        } else {
            copy.put(option.key(), value);
        }
        return new JobConfig(copy);
    }

    /** Every explicitly set value, secrets shown as {@code ****}; for logs and {@code --print-config}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("JobConfig{");
        String separator = "";
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            out.append(separator).append(e.getKey()).append('=').append(isSecret(e.getKey()) ? "****" : e.getValue());
            separator = ", ";
        }
        return out.append('}').toString();
    }

    /** Declared options with their effective values (secrets hidden), one {@code key=value} per line. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (ConfigOption option : JobOptions.all().values()) {
            String value = get(option);
            String shown = value == null ? "" : option.secret() ? "****" : value;
            out.append(option.key()).append('=').append(shown).append('\n');
        }
        kafkaPassthrough()
                .forEach(
                        (k, v) -> out.append(JobOptions.KAFKA_PASSTHROUGH_PREFIX)
                                .append(k)
                                .append('=')
                                .append(isSecret(k) ? "****" : v)
                                .append('\n'));
        return out.toString();
    }

    static boolean isSecret(String key) {
        ConfigOption option = JobOptions.all().get(key);
        if (option != null) {
            return option.secret();
        }
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("jaas");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobConfig other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** Collects settings from the sources in order; each call overrides what earlier calls set. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();

        private Builder() {}

        /** Reads a {@code .properties}, {@code .yaml} or {@code .yml} file; nested YAML keys join with dots. */
        public Builder file(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString());
            }
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
                        throw new IOException(file + ": expected a mapping of settings at the top level");
                    }
                    flatten("", root, file);
                }
            } else {
                Properties properties = new Properties();
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    properties.load(in);
                }
                for (String key : properties.stringPropertyNames()) {
                    put(key, properties.getProperty(key), file.toString());
                }
            }
            return this;
        }

        private void flatten(String prefix, JsonNode node, Path file) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = prefix + field.getKey();
                JsonNode value = field.getValue();
                if (value.isObject()) {
                    flatten(key + ".", value, file);
                } else if (value.isNull()) {
                    values.remove(key);
                } else if (value.isValueNode()) {
                    put(key, value.asText(), file.toString());
                } else {
                    throw new IllegalArgumentException(file + ": " + key + " must be a single value, not a list");
                }
            }
        }

        /** Reads {@code VARFLOW_*} variables of declared options from the given environment. */
        public Builder environment(Map<String, String> environment) {
            for (ConfigOption option : JobOptions.all().values()) {
                String value = environment.get(option.environmentVariable());
                if (value != null) {
                    values.put(option.key(), value);
                }
            }
            return this;
        }

        /** One explicit setting; an unknown key is rejected with the list of known ones. */
        public Builder set(String key, String value) {
            return put(key, value, "--set");
        }

        public Builder set(ConfigOption option, String value) {
            if (value != null) {
                values.put(option.key(), value);
            }
            return this;
        }

        /** Parses {@code key=value}. */
        public Builder setAssignment(String assignment) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects key=value, got '" + assignment + "'");
            }
            return set(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
        }

        private Builder put(String key, String value, String source) {
            String k = key.trim();
            if (!JobOptions.all().containsKey(k) && !k.startsWith(JobOptions.KAFKA_PASSTHROUGH_PREFIX)) {
                throw new IllegalArgumentException(
                        source + ": unknown setting '" + k + "'; known settings: "
                                + String.join(", ", JobOptions.all().keySet()) + " and "
                                + JobOptions.KAFKA_PASSTHROUGH_PREFIX + "*");
            }
            values.put(k, value);
            return this;
        }

        public JobConfig build() {
            return new JobConfig(values);
        }
    }
}
