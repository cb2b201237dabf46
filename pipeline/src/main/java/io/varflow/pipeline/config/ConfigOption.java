package io.varflow.pipeline.config;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * One setting of the job, declared once: its key, default, description and whether it is a secret
 * (secrets are never printed). The same declaration names its environment variable ({@code
 * VARFLOW_} + the key in upper case with dots and dashes as underscores) and its command line form
 * ({@code --set key=value}).
 *
 * @param key dotted lower-case name, e.g. {@code kafka.bootstrap-servers}
 * @param defaultValue value when nothing sets it; null when the option is unset by default
 * @param description one sentence for {@code varflow job --help-config} and the docs
 * @param secret true for passwords and secret keys
 */
public record ConfigOption(String key, String defaultValue, String description, boolean secret)
        implements Serializable {

    public ConfigOption {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(description, "description");
        if (!key.matches("[a-z0-9]+([.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("option keys are dotted lower-case words, got " + key);
        }
    }

    static ConfigOption of(String key, String defaultValue, String description) {
        return new ConfigOption(key, defaultValue, description, false);
    }

    static ConfigOption secret(String key, String description) {
        return new ConfigOption(key, null, description, true);
    }

    /** The environment variable that sets this option, e.g. {@code VARFLOW_KAFKA_BOOTSTRAP_SERVERS}. */
    public String environmentVariable() {
        return "VARFLOW_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
