package io.varflow.pipeline.config;

import java.util.Collection;

/**
 * The settings as text, derived from their declarations: the plain list of {@code varflow job
 * --list-settings} and the Markdown table of {@code docs/operations.md}.
 */
public final class SettingsTable {

    private SettingsTable() {}

    /** One line per setting: key, type, default, flag, environment variable, description. */
    public static String plain(Collection<Setting<?>> settings) {
        StringBuilder out = new StringBuilder();
        for (Setting<?> s : settings) {
            out.append(
                    String.format(
                            "%-30s %-26s %-22s %-20s %s%n  %s%s%n",
                            s.key(),
                            s.type().name(),
                            s.defaultValue() == null
                                    ? "-"
                                    : s.defaultText().isEmpty() ? "\"\"" : s.defaultText(),
                            s.flag().orElse("-"),
                            s.environmentVariable(),
                            s.description(),
                            s.secret() ? " (secret)" : ""));
        }
        return out.toString();
    }

    /** The Markdown table of docs/operations.md, between its {@code settings-table} markers. */
    public static String markdown(Collection<Setting<?>> settings) {
        StringBuilder out = new StringBuilder();
        out.append("| key | type | default | flag | environment variable | description |\n");
        out.append("| --- | --- | --- | --- | --- | --- |\n");
        for (Setting<?> s : settings) {
            out.append("| `")
                    .append(s.key())
                    .append("` | ")
                    .append(s.type().name().replace("|", "\\|"))
                    .append(" | ")
                    .append(s.defaultValue() == null ? "–" : "`" + s.defaultText() + "`")
                    .append(" | ")
                    .append(s.flag().map(f -> "`" + f + "`").orElse(""))
                    .append(" | `")
                    .append(s.environmentVariable())
                    .append("` | ")
                    .append(s.description().replace("|", "\\|"))
                    .append(s.secret() ? " (secret)" : "")
                    .append(" |\n");
        }
        return out.toString();
    }
}
