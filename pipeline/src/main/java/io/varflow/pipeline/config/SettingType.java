package io.varflow.pipeline.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.MemorySize;

/**
 * How a setting's text becomes a typed value and back: the one place where settings are parsed.
 * Parsers throw {@link IllegalArgumentException} with what the text must be ("an integer", "a
 * duration like 500ms or 10s"); {@link JobConfig} adds the key and the source.
 *
 * @param <T> the value type
 */
public final class SettingType<T> {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    public static final SettingType<String> STRING =
            new SettingType<>("text", String.class, s -> s, s -> s);

    public static final SettingType<Integer> INTEGER =
            new SettingType<>("integer", Integer.class, SettingType::parseInt, String::valueOf);

    public static final SettingType<Boolean> BOOLEAN =
            new SettingType<>(
                    "true|false", Boolean.class, SettingType::parseBoolean, String::valueOf);

    /**
     * {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}, a bare number of ms, or
     * ISO-8601.
     */
    public static final SettingType<Duration> DURATION_TYPE =
            new SettingType<>(
                    "duration",
                    Duration.class,
                    SettingType::parseDuration,
                    SettingType::formatDuration);

    /** Byte counts as Flink writes them: {@code 65536}, {@code 64kb}, {@code 32mb}. */
    public static final SettingType<Long> BYTES =
            new SettingType<>(
                    "bytes", Long.class, SettingType::parseBytes, SettingType::formatBytes);

    /** A batch limit: {@code auto} or a number of images (see {@link BatchSize}). */
    public static final SettingType<BatchSize> BATCH_SIZE =
            new SettingType<>(
                    "auto|integer", BatchSize.class, BatchSize::parse, BatchSize::toString);

    /**
     * The models one job serves: {@code name=a,config=d16,...;name=b,...} (see {@link
     * ModelEntries}).
     */
    public static final SettingType<ModelEntries> MODEL_LIST =
            new SettingType<>(
                    "model list", ModelEntries.class, ModelEntries::parse, ModelEntries::format);

    private final String name;
    private final Class<T> valueClass;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;

    private SettingType(
            String name,
            Class<T> valueClass,
            Function<String, T> parser,
            Function<T, String> formatter) {
        this.name = name;
        this.valueClass = valueClass;
        this.parser = parser;
        this.formatter = formatter;
    }

    /** One of fixed words, matched without regard to case; the value is the word as declared. */
    public static SettingType<String> oneOf(String... words) {
        String name = String.join("|", words);
        return new SettingType<>(
                name,
                String.class,
                text -> {
                    for (String word : words) {
                        if (word.equalsIgnoreCase(text.trim())) {
                            return word;
                        }
                    }
                    throw new IllegalArgumentException("must be one of " + Arrays.toString(words));
                },
                s -> s);
    }

    /** An enum's constants, written in lower case. */
    public static <E extends Enum<E>> SettingType<E> lowerCaseEnum(Class<E> type) {
        E[] constants = type.getEnumConstants();
        String name = String.join("|", Arrays.stream(constants).map(SettingType::lower).toList());
        return new SettingType<>(
                name,
                type,
                text -> {
                    for (E constant : constants) {
                        if (constant.name().equalsIgnoreCase(text.trim())) {
                            return constant;
                        }
                    }
                    throw new IllegalArgumentException("must be one of " + name.replace('|', ','));
                },
                SettingType::lower);
    }

    /**
     * What the docs and {@code --list-settings} call this type, e.g. {@code duration} or {@code
     * cpu|gpu}.
     */
    public String name() {
        return name;
    }

    Class<T> valueClass() {
        return valueClass;
    }

    /** The value of {@code text}; throws IllegalArgumentException saying what the text must be. */
    public T parse(String text) {
        Objects.requireNonNull(text, "text");
        return parser.apply(text);
    }

    /** The text that {@link #parse} reads back as {@code value}. */
    public String format(T value) {
        return formatter.apply(value);
    }

    private static String lower(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be an integer");
        }
    }

    private static boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(value);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "ms" : m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(value.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("must be a duration like 500ms, 10s, 5m or PT10S");
        }
    }

    /** The largest unit that writes {@code d} exactly: {@code 200ms}, {@code 10s}, {@code 7d}. */
    private static String formatDuration(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms != 0 && ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }

    private static long parseBytes(String text) {
        try {
            return MemorySize.parseBytes(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("must be a byte count like 65536, 64kb or 32mb");
        }
    }

    private static String formatBytes(long bytes) {
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "mb";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return (bytes >> 10) + "kb";
        }
        return Long.toString(bytes);
    }
}
