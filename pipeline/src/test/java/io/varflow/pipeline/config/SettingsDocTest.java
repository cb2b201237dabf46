package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The settings table of docs/operations.md is the one {@link SettingsTable#markdown} derives from
 * the declarations. After adding or changing a setting, copy {@code
 * pipeline/target/settings-table.md} (written when they differ) between the markers.
 */
class SettingsDocTest {

    static final String BEGIN =
            "<!-- settings-table: generated from JobOptions by SettingsDocTest -->\n";
    static final String END = "<!-- settings-table end -->";

    @Test
    void operationsDocHoldsTheTableOfTheDeclarations() throws Exception {
        Path root = Path.of(System.getProperty("varflow.repo.root", ".."));
        String doc = Files.readString(root.resolve("docs/operations.md"));
        int start = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(start).as("docs/operations.md has the settings-table markers").isNotNegative();
        assertThat(end).isGreaterThan(start);
        String expected = SettingsTable.markdown(JobOptions.all().values());
        String actual = doc.substring(start + BEGIN.length(), end);
        if (!actual.equals(expected)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/settings-table.md"), expected);
        }
        assertThat(actual)
                .as(
                        "the table in docs/operations.md; the current one is in pipeline/target/settings-table.md")
                .isEqualTo(expected);
    }
}
