package io.varflow.operators.validate;

import java.util.regex.Pattern;

/**
 * The safe-name rules that keep every object key inside its prefix (docs/requests.md, "Safe
 * names"). A requestId is 1-128 characters from {@code [A-Za-z0-9._-]}, does not start with '.' and
 * contains no "..". An output prefix is 1-8 such segments joined by '/', at most 128 characters, no
 * segment made only of dots, no "..". Nothing else (no '\', '%', whitespace, control or non-ASCII
 * characters) can appear, so neither can escape the job's base prefix.
 */
public final class SafeNames {

    public static final int MAX_REQUEST_ID_LENGTH = 128;
    public static final int MAX_PREFIX_LENGTH = 128;
    public static final int MAX_PREFIX_SEGMENTS = 8;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private SafeNames() {}

    /** Null when {@code id} is safe, else why not. */
    public static String checkRequestId(String id) {
        if (id == null || id.isEmpty()) {
            return "requestId is missing or empty";
        }
        if (id.length() > MAX_REQUEST_ID_LENGTH) {
            return "requestId is "
                    + id.length()
                    + " characters long; the limit is "
                    + MAX_REQUEST_ID_LENGTH;
        }
        if (!id.chars().allMatch(SafeNames::isSafeChar)) {
            return "requestId may only contain letters, digits, '.', '_' and '-'";
        }
        if (id.startsWith(".")) {
            return "requestId must not start with '.'";
        }
        if (id.contains("..")) {
            return "requestId must not contain '..'";
        }
        return null;
    }

    /** Null when {@code prefix} is safe, else why not. */
    public static String checkOutputPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "outputPrefix is empty; leave it out to use the job's base prefix";
        }
        if (prefix.length() > MAX_PREFIX_LENGTH) {
            return "outputPrefix is "
                    + prefix.length()
                    + " characters long; the limit is "
                    + MAX_PREFIX_LENGTH;
        }
        if (prefix.contains("..")) {
            return "outputPrefix must not contain '..'";
        }
        String[] segments = prefix.split("/", -1);
        if (segments.length > MAX_PREFIX_SEGMENTS) {
            return "outputPrefix has "
                    + segments.length
                    + " segments; the limit is "
                    + MAX_PREFIX_SEGMENTS;
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                return "outputPrefix must not start or end with '/' or contain '//'";
            }
            if (!SEGMENT.matcher(segment).matches()) {
                return "outputPrefix segments may only contain letters, digits, '.', '_' and '-' (at most 64 each)";
            }
            if (segment.chars().allMatch(c -> c == '.')) {
                return "outputPrefix segments must not be '.'";
            }
        }
        return null;
    }

    /** Whether a model name can be used as a metric label and in logs safely. */
    public static boolean isSafeModelName(String name) {
        return name != null && MODEL_NAME.matcher(name).matches();
    }

    private static boolean isSafeChar(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-';
    }
}
