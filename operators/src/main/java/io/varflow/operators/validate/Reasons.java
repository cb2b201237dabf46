package io.varflow.operators.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** How validators word a dead letter's reason: one short line, whatever the cause's message. */
public final class Reasons {

    private static final int MAX_CHARS = 200;

    private Reasons() {}

    /**
     * The first line of {@code message}, cut to 200 characters; "unreadable" when there is none.
     */
    public static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS) + "…" : line;
    }

    /** The JSON kind of {@code node} in words ({@code array}, {@code string}, ...). */
    public static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
