package io.varflow.pipeline.report;

/**
 * Escaping for text and attribute values placed in the results page: every user-given string goes
 * through here.
 */
public final class Html {

    private Html() {}

    /**
     * {@code s} safe inside element text and double-quoted attributes; null becomes the empty
     * string.
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
