package io.varflow.pipeline.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One setting of the job, declared once in {@link JobOptions}, in the manner of Flink's {@code
 * ConfigOptions.key(..).intType().defaultValue(..)}: key, type, default, a check of the value, a
 * description, whether it is a secret, and optionally the command line flag that mirrors it.
 * Everything else is derived: the environment variable ({@code VARFLOW_} + the key in upper case,
 * dots and dashes as underscores), parsing and checking ({@link JobConfig}), {@code --set
 * key=value}, the flag, {@code --list-settings}, {@code --print-config} and the table in {@code
 * docs/operations.md}.
 *
 * <pre>{@code
 * Setting<Integer> MAX_IMAGES = Setting.key("batch.max-images").type(SettingType.INTEGER)
 *         .defaultValue(8).check(Setting.atLeast(1)).flag("--max-batch")
 *         .description("Largest batch of images handed to the model");
 * }</pre>
 *
 * @param <T> the value type
 */
public final class Setting<T> {

    private final String key;
    private final SettingType<T> type;
    private final T defaultValue;
    private final Predicate<T> check;
    private final String requirement;
    private final String description;
    private final boolean secret;
    private final String flag;

    private Setting(Builder<T> b, String description) {
        this.key = b.key;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.check = b.check;
        this.requirement = b.requirement;
        this.description = Objects.requireNonNull(description, "description");
        this.secret = b.secret;
        this.flag = b.flag;
        if (defaultValue != null) {
            String problem = problem(defaultValue);
            if (problem != null) {
                throw new IllegalArgumentException(key + ": the default " + problem);
            }
        }
    }

    /**
     * Starts a declaration; keys are dotted lower-case words such as {@code
     * kafka.bootstrap-servers}.
     */
    public static KeyBuilder key(String key) {
        if (!key.matches("[a-z0-9]+([.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException(
                    "setting keys are dotted lower-case words, got " + key);
        }
        return new KeyBuilder(key);
    }

    public String key() {
        return key;
    }

    public SettingType<T> type() {
        return type;
    }

    /** The value when nothing sets it; null when the setting is unset by default. */
    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** Secrets are never printed. */
    public boolean secret() {
        return secret;
    }

    /** The command line flag that mirrors this setting, e.g. {@code --bootstrap-servers}. */
    public Optional<String> flag() {
        return Optional.ofNullable(flag);
    }

    /** What a valid value must satisfy beyond its type ("at least 1"), or empty. */
    public Optional<String> requirement() {
        return Optional.ofNullable(requirement);
    }

    /**
     * The environment variable that sets this option, e.g. {@code VARFLOW_KAFKA_BOOTSTRAP_SERVERS}.
     */
    public String environmentVariable() {
        return "VARFLOW_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The default as text ({@code ""} for an unset one). */
    public String defaultText() {
        return defaultValue == null ? "" : type.format(defaultValue);
    }

    /**
     * The value of {@code text}; throws IllegalArgumentException saying what is wrong, without key
     * or source.
     */
    public T parse(String text) {
        T value = type.parse(text);
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return value;
    }

    private String problem(T value) {
        return check == null || check.test(value) ? null : "must be " + requirement;
    }

    @Override
    public String toString() {
        return key;
    }

    // Checks used by the declarations.

    public static Check<Integer> atLeast(int min) {
        return new Check<>(v -> v >= min, "at least " + min);
    }

    public static Check<Integer> between(int min, int max) {
        return new Check<>(v -> v >= min && v <= max, "between " + min + " and " + max);
    }

    public static Check<Long> atLeastBytes(long min) {
        return new Check<>(v -> v >= min, "at least " + min + " bytes");
    }

    public static Check<Duration> positive() {
        return new Check<>(v -> !v.isNegative() && !v.isZero(), "longer than 0");
    }

    public static Check<Duration> notNegative() {
        return new Check<>(v -> !v.isNegative(), "0 or longer");
    }

    public static Check<String> notBlank() {
        return new Check<>(v -> !v.isBlank(), "not empty");
    }

    /**
     * A condition on a value and the words that name it after "must be".
     *
     * @param <T> the value type
     */
    public record Check<T>(Predicate<T> test, String requirement) {}

    /** First step of a declaration: the key. */
    public static final class KeyBuilder {
        private final String key;

        private KeyBuilder(String key) {
            this.key = key;
        }

        public <T> Builder<T> type(SettingType<T> type) {
            return new Builder<>(key, type);
        }

        public Builder<String> stringType() {
            return type(SettingType.STRING);
        }

        public Builder<Integer> intType() {
            return type(SettingType.INTEGER);
        }

        public Builder<Boolean> booleanType() {
            return type(SettingType.BOOLEAN);
        }

        public Builder<Duration> durationType() {
            return type(SettingType.DURATION_TYPE);
        }

        public Builder<Long> bytesType() {
            return type(SettingType.BYTES);
        }
    }

    /**
     * The rest of a declaration; {@link #description} ends it.
     *
     * @param <T> the value type
     */
    public static final class Builder<T> {
        private final String key;
        private final SettingType<T> type;
        private T defaultValue;
        private Predicate<T> check;
        private String requirement;
        private boolean secret;
        private String flag;

        private Builder(String key, SettingType<T> type) {
            this.key = key;
            this.type = type;
        }

        public Builder<T> defaultValue(T value) {
            this.defaultValue = Objects.requireNonNull(value, "default");
            return this;
        }

        /** Values that fail the check are refused when the settings are built. */
        public Builder<T> check(Check<T> check) {
            this.check = check.test();
            this.requirement = check.requirement();
            return this;
        }

        /** Never printed; no default. */
        public Builder<T> secret() {
            this.secret = true;
            return this;
        }

        /** The command line flag that sets it, e.g. {@code --bucket}. */
        public Builder<T> flag(String flag) {
            if (!flag.matches("--[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException("flags are --lower-case-words, got " + flag);
            }
            this.flag = flag;
            return this;
        }

        public Setting<T> description(String description) {
            return new Setting<>(this, description);
        }
    }
}
