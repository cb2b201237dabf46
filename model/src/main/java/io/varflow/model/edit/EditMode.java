package io.varflow.model.edit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The four kinds of zero-shot edit. For {@link #INPAINT} and {@link #CLASS_EDIT} the region marks
 * what is regenerated; for {@link #OUTPAINT} it marks what is kept; {@link #VARIATION} has no
 * region and keeps the first k scales of its source.
 */
public enum EditMode {
    /** Regenerate the region, keep the rest (official: null class label). */
    INPAINT("inpaint"),
    /** Keep the region, regenerate the rest (official: null class label). */
    OUTPAINT("outpaint"),
    /** Regenerate the region conditioned on a class label. */
    CLASS_EDIT("class-edit"),
    /** Keep the first k scales of an earlier result, resample the later ones. */
    VARIATION("variation");

    private final String wireName;

    EditMode(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name used on the command line and in requests ({@code inpaint}, {@code class-edit}, ...).
     */
    public String wireName() {
        return wireName;
    }

    /** True when the mode needs a region (box or mask image). */
    public boolean needsRegion() {
        return this != VARIATION;
    }

    /** True when the region marks what is kept rather than what is regenerated. */
    public boolean regionIsKept() {
        return this == OUTPAINT;
    }

    /**
     * The mode of a wire name (case-insensitive; {@code class_edit} accepted too).
     *
     * @throws IllegalArgumentException naming the accepted modes
     */
    public static EditMode parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (EditMode mode : values()) {
                if (mode.wireName.equals(n)) {
                    return mode;
                }
            }
        }
        throw new IllegalArgumentException(
                "unknown edit mode '"
                        + name
                        + "', expected one of "
                        + Arrays.stream(values())
                                .map(EditMode::wireName)
                                .collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
