package io.varflow.pipeline.config;

import io.varflow.model.RuntimeOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * The value of the {@code models} setting: the models one job serves side by side, as text {@code
 * name=a,config=d16,vae=...,var=...,device=gpu,dtype=bf16,max-images=8,subtasks=0-1;name=b,...}
 * (entries separated by {@code ;}, fields by {@code ,}; {@code subtasks} is a list of indexes and
 * ranges joined by {@code +}, e.g. {@code 0+2} or {@code 0-3}). In a YAML settings file it may be a
 * list of mappings with the same fields ({@link #fromFields}).
 *
 * @param entries the models in order; the first is the default for requests that name none
 */
public record ModelEntries(List<ModelEntry> entries) implements Serializable {

    public static final String NAME = "name";
    public static final String CONFIG = "config";
    public static final String VAE = "vae";
    public static final String VAR = "var";
    public static final String DEVICE = "device";
    public static final String DTYPE = "dtype";
    public static final String MAX_IMAGES = "max-images";
    public static final String SUBTASKS = "subtasks";

    /** Every field an entry may have, in the order they are written. */
    public static final List<String> FIELDS =
            List.of(NAME, CONFIG, VAE, VAR, DEVICE, DTYPE, MAX_IMAGES, SUBTASKS);

    private static final SettingType<RuntimeOptions.Device> DEVICES =
            SettingType.lowerCaseEnum(RuntimeOptions.Device.class);
    private static final SettingType<RuntimeOptions.Precision> PRECISIONS =
            SettingType.lowerCaseEnum(RuntimeOptions.Precision.class);

    public ModelEntries {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("must list at least one model");
        }
        Set<String> names = new TreeSet<>();
        for (ModelEntry entry : entries) {
            if (!names.add(entry.name())) {
                throw new IllegalArgumentException(
                        "must name each model once; '" + entry.name() + "' is listed twice");
            }
        }
    }

    /** Parses the text form; the message says which entry and field is wrong. */
    public static ModelEntries parse(String text) {
        List<Map<String, String>> entries = new ArrayList<>();
        int n = 0;
        for (String entryText : text.split(";")) {
            n++;
            if (entryText.isBlank()) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (String field : entryText.split(",")) {
                int eq = field.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(
                            "must be entries of field=value pairs (model "
                                    + n
                                    + ": '"
                                    + field.trim()
                                    + "' has no '=')");
                }
                String key = field.substring(0, eq).trim();
                if (fields.put(key, field.substring(eq + 1).trim()) != null) {
                    throw new IllegalArgumentException(
                            "must give each field once (model " + n + ": " + key + ")");
                }
            }
            entries.add(fields);
        }
        return fromFields(entries);
    }

    /** Entries from their fields as text (the parsed text form, or a YAML list of mappings). */
    public static ModelEntries fromFields(List<Map<String, String>> entries) {
        List<ModelEntry> parsed = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            parsed.add(entry(i + 1, entries.get(i)));
        }
        return new ModelEntries(parsed);
    }

    private static ModelEntry entry(int n, Map<String, String> fields) {
        for (String key : fields.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new IllegalArgumentException(
                        "must use the fields " + FIELDS + " (model " + n + " has '" + key + "')");
            }
        }
        String name = blankToNull(fields.get(NAME));
        if (name == null) {
            throw new IllegalArgumentException(
                    "must give every model a name (model " + n + " has none)");
        }
        String where = " (model " + name + ")";
        try {
            String device = blankToNull(fields.get(DEVICE));
            String dtype = blankToNull(fields.get(DTYPE));
            String maxImages = blankToNull(fields.get(MAX_IMAGES));
            String subtasks = blankToNull(fields.get(SUBTASKS));
            Integer max = maxImages == null ? null : SettingType.INTEGER.parse(maxImages);
            if (max != null && max < 1) {
                throw new IllegalArgumentException("max-images must be at least 1");
            }
            return new ModelEntry(
                    name,
                    blankToNull(fields.get(CONFIG)),
                    blankToNull(fields.get(VAE)),
                    blankToNull(fields.get(VAR)),
                    device == null ? null : DEVICES.parse(device),
                    dtype == null ? null : PRECISIONS.parse(dtype),
                    max,
                    subtasks == null ? List.of() : subtasks(subtasks));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + where, e);
        }
    }

    /** {@code 0+2}, {@code 0-3}, {@code 0-1+4}: indexes and inclusive ranges. */
    private static List<Integer> subtasks(String text) {
        TreeSet<Integer> subtasks = new TreeSet<>();
        for (String part : text.split("\\+")) {
            String[] range = part.trim().split("-", -1);
            if (range.length > 2) {
                throw new IllegalArgumentException(
                        "subtasks must be indexes or ranges joined by +, like 0+2 or 0-3");
            }
            int from = index(range[0]);
            int to = range.length == 2 ? index(range[1]) : from;
            if (to < from) {
                throw new IllegalArgumentException(
                        "subtasks range " + part.trim() + " runs backwards");
            }
            for (int s = from; s <= to; s++) {
                subtasks.add(s);
            }
        }
        return List.copyOf(subtasks);
    }

    private static int index(String text) {
        try {
            int index = Integer.parseInt(text.trim());
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                "subtasks must be indexes from 0 or ranges like 0-3, joined by +");
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    /** The text form that {@link #parse} reads back. */
    public String format() {
        StringJoiner all = new StringJoiner(";");
        for (ModelEntry e : entries) {
            StringJoiner fields = new StringJoiner(",");
            fields.add(NAME + "=" + e.name());
            add(fields, CONFIG, e.config());
            add(fields, VAE, e.vae());
            add(fields, VAR, e.var());
            add(fields, DEVICE, e.device() == null ? null : DEVICES.format(e.device()));
            add(fields, DTYPE, e.dtype() == null ? null : PRECISIONS.format(e.dtype()));
            add(fields, MAX_IMAGES, e.maxImages() == null ? null : e.maxImages().toString());
            if (!e.subtasks().isEmpty()) {
                StringJoiner subtasks = new StringJoiner("+");
                e.subtasks().forEach(s -> subtasks.add(s.toString()));
                fields.add(SUBTASKS + "=" + subtasks);
            }
            all.add(fields.toString());
        }
        return all.toString();
    }

    private static void add(StringJoiner fields, String key, String value) {
        if (value != null) {
            fields.add(key + "=" + value);
        }
    }
}
