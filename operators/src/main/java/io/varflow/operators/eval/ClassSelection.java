package io.varflow.operators.eval;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which classes an evaluation set covers: a spec such as {@code 0-9}, {@code 0,5,7}, {@code
 * 0-99,500-599}, or {@code all} (also the meaning of an absent spec). The result is sorted and free
 * of duplicates, so that the set's class-major order does not depend on how it was written.
 */
public final class ClassSelection {

    private ClassSelection() {}

    /**
     * A class outside the model's classes (a request error of its own: the label is out of range).
     */
    public static final class OutOfRange extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        OutOfRange(int label, int numClasses) {
            super("class " + label + " is outside the model's classes 0-" + (numClasses - 1));
        }
    }

    /** Parses {@code spec} against a model with {@code numClasses} classes. */
    public static List<Integer> parse(String spec, int numClasses) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("the model has no classes");
        }
        BitSet chosen = new BitSet(numClasses);
        if (spec == null || spec.isBlank() || spec.strip().equalsIgnoreCase("all")) {
            chosen.set(0, numClasses);
        } else {
            for (String part : spec.split(",", -1)) {
                String p = part.strip();
                if (p.isEmpty()) {
                    throw new IllegalArgumentException("empty entry in class list '" + spec + "'");
                }
                int dash = p.indexOf('-', 1);
                int from = number(dash < 0 ? p : p.substring(0, dash), spec);
                int to = dash < 0 ? from : number(p.substring(dash + 1), spec);
                if (from > to) {
                    throw new IllegalArgumentException("class range " + p + " runs backwards");
                }
                if (from < 0 || to >= numClasses) {
                    throw new OutOfRange(from < 0 ? from : to, numClasses);
                }
                chosen.set(from, to + 1);
            }
        }
        return toList(chosen);
    }

    /** Checks an explicit list against the model and returns it sorted and without duplicates. */
    public static List<Integer> of(List<Integer> classes, int numClasses) {
        if (classes == null || classes.isEmpty()) {
            return parse(null, numClasses);
        }
        BitSet chosen = new BitSet(numClasses);
        for (Integer c : classes) {
            if (c == null) {
                throw new IllegalArgumentException(
                        "class null is outside the model's classes 0-" + (numClasses - 1));
            }
            if (c < 0 || c >= numClasses) {
                throw new OutOfRange(c, numClasses);
            }
            chosen.set(c);
        }
        return toList(chosen);
    }

    /** The shortest spec for {@code classes} ({@code 0-9,20}), for logs and manifests. */
    public static String format(List<Integer> classes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < classes.size(); ) {
            int j = i;
            while (j + 1 < classes.size() && classes.get(j + 1) == classes.get(j) + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(classes.get(i));
            if (j > i) {
                sb.append('-').append(classes.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }

    private static int number(String text, String spec) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'"
                            + text.strip()
                            + "' in class list '"
                            + spec
                            + "' is not a class number (use e.g. 0-9 or 0,5,7)");
        }
    }

    private static List<Integer> toList(BitSet chosen) {
        List<Integer> out = new ArrayList<>(chosen.cardinality());
        chosen.stream().forEach(out::add);
        return List.copyOf(out);
    }
}
