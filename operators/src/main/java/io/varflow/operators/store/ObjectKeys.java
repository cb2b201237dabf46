package io.varflow.operators.store;

import io.varflow.operators.validate.SafeNames;
import java.util.Locale;

/**
 * Deterministic object keys: {@code [basePrefix/][outputPrefix/]requestId/NNNN.png} and {@code
 * …/NNNN.tokens.safetensors} (index zero-padded to 4 digits). The same image always gets the same
 * key, so a retried or replayed write replaces the object instead of adding one. Re-checks the
 * safe-name rules (defence in depth): no key can leave the base prefix.
 */
public final class ObjectKeys {

    public static final String IMAGE_SUFFIX = ".png";
    public static final String TOKEN_MAP_SUFFIX = ".tokens.safetensors";

    private ObjectKeys() {}

    /** Directory (no trailing slash) of a request's objects. */
    public static String requestDir(String basePrefix, String outputPrefix, String requestId) {
        String unsafeId = SafeNames.checkRequestId(requestId);
        if (unsafeId != null) {
            throw new IllegalArgumentException(unsafeId);
        }
        StringBuilder key = new StringBuilder();
        if (basePrefix != null && !basePrefix.isEmpty()) {
            key.append(basePrefix).append('/');
        }
        if (outputPrefix != null && !outputPrefix.isEmpty()) {
            String unsafe = SafeNames.checkOutputPrefix(outputPrefix);
            if (unsafe != null) {
                throw new IllegalArgumentException(unsafe);
            }
            key.append(outputPrefix).append('/');
        }
        return key.append(requestId).toString();
    }

    public static String imageKey(
            String basePrefix, String outputPrefix, String requestId, int index) {
        return requestDir(basePrefix, outputPrefix, requestId) + "/" + name(index) + IMAGE_SUFFIX;
    }

    public static String tokenMapKey(
            String basePrefix, String outputPrefix, String requestId, int index) {
        return requestDir(basePrefix, outputPrefix, requestId)
                + "/"
                + name(index)
                + TOKEN_MAP_SUFFIX;
    }

    private static String name(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("image index must be >= 0, got " + index);
        }
        return String.format(Locale.ROOT, "%04d", index);
    }
}
