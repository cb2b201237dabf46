package io.varflow.pipeline.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Class labels on the command line as numbers or as the model's class names: {@code sneaker},
 * {@code "ankle boot"}, {@code ankle-boot}, {@code t-shirt} all name a class. Names are matched
 * ignoring case, spaces and punctuation, as a whole name or one of its {@code /}-separated parts
 * ({@code T-shirt/top}: {@code tshirt}, {@code top}).
 */
final class ClassLabels {

    private static final Pattern NUMBER_OR_RANGE = Pattern.compile("\\d+(\\s*-\\s*\\d+)?");

    private ClassLabels() {}

    /** Each entry as a label: a number as it is, a name by its position in {@code names}. */
    static List<Integer> resolve(List<String> entries, List<String> names, String option) {
        List<Integer> labels = new ArrayList<>(entries.size());
        for (String entry : entries) {
            String e = entry.strip();
            labels.add(e.matches("\\d+") ? Integer.parseInt(e) : byName(e, names, option));
        }
        return labels;
    }

    /**
     * A class selection such as {@code 0-3,sneaker,bag} with every name replaced by its number, for
     * parsers that know numbers and ranges only; {@code null}, {@code all} and numbers pass
     * through.
     */
    static String numbersOnly(String spec, List<String> names, String option) {
        if (spec == null || spec.isBlank() || spec.strip().equalsIgnoreCase("all")) {
            return spec;
        }
        List<String> parts = new ArrayList<>();
        for (String part : spec.split(",", -1)) {
            String p = part.strip();
            parts.add(
                    p.isEmpty() || NUMBER_OR_RANGE.matcher(p).matches()
                            ? p
                            : Integer.toString(byName(p, names, option)));
        }
        return String.join(",", parts);
    }

    private static int byName(String name, List<String> names, String option) {
        if (names.isEmpty()) {
            throw new UserInputException(
                    option + ": '" + name + "' is not a number, and this model has no class names");
        }
        String wanted = normalize(name);
        for (int label = 0; label < names.size(); label++) {
            if (normalize(names.get(label)).equals(wanted)) {
                return label;
            }
        }
        int found = -1;
        for (int label = 0; label < names.size(); label++) {
            for (String part : names.get(label).split("/")) {
                if (normalize(part).equals(wanted)) {
                    if (found >= 0 && found != label) {
                        throw new UserInputException(
                                option + ": '" + name + "' names more than one class");
                    }
                    found = label;
                }
            }
        }
        if (found < 0) {
            throw new UserInputException(
                    option
                            + ": no class named '"
                            + name
                            + "'; the model's classes are "
                            + String.join(", ", names)
                            + " (or their numbers 0.."
                            + (names.size() - 1)
                            + ")");
        }
        return found;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
