package io.varflow.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each setting exists in exactly one declaration ({@link JobOptions}): no main source of the three
 * modules writes a setting's key, environment variable or flag as a literal anywhere else (so
 * nothing parses or declares it a second time), and the documentation neither names a {@code
 * VARFLOW_*} variable that is not declared nor describes a setting in a second table.
 */
class SettingsDeclaredOnceTest {

    private static final Path ROOT = Path.of(System.getProperty("varflow.repo.root", ".."));
    private static final Path DECLARATIONS =
            Path.of("pipeline/src/main/java/io/varflow/pipeline/config/JobOptions.java");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern VARIABLE = Pattern.compile("VARFLOW_[A-Z0-9_]*[A-Z0-9]");

    /**
     * Variables of the launcher, the logging configuration and the error handler, not settings of
     * the job.
     */
    private static final Set<String> NOT_SETTINGS =
            Set.of("VARFLOW_DEBUG", "VARFLOW_JAVA_OPTS", "VARFLOW_LOG_LEVEL");

    /**
     * {@code bench}'s {@code --config} is its own: a JSON file next to {@code --preset} for a model
     * with random weights, not the job's {@code model.config}.
     */
    private static final Path BENCH =
            Path.of("pipeline/src/main/java/io/varflow/pipeline/cli/BenchCommand.java");

    @Test
    void noMainSourceWritesAKeyVariableOrFlagOutsideTheDeclarations() throws IOException {
        Set<String> keys = JobOptions.all().keySet();
        Set<String> flags =
                JobOptions.all().values().stream()
                        .flatMap(s -> s.flag().stream())
                        .collect(Collectors.toSet());
        List<String> found = new ArrayList<>();
        for (Path file : mainSources()) {
            Path relative = ROOT.relativize(file);
            if (relative.equals(DECLARATIONS)) {
                continue;
            }
            String code = COMMENT.matcher(Files.readString(file)).replaceAll("");
            Matcher literal = STRING_LITERAL.matcher(code);
            while (literal.find()) {
                String text = literal.group(1);
                if (keys.contains(text)
                        || (flags.contains(text)
                                && !(relative.equals(BENCH) && text.equals("--config")))) {
                    found.add(relative + ": \"" + text + "\"");
                }
                Matcher variable = VARIABLE.matcher(text);
                while (variable.find()) {
                    if (!NOT_SETTINGS.contains(variable.group())) {
                        found.add(relative + ": \"" + text + "\"");
                    }
                }
            }
        }
        assertThat(found)
                .as("settings written outside JobOptions; use the declaration instead")
                .isEmpty();
    }

    @Test
    void documentationNamesOnlyDeclaredVariablesAndDescribesSettingsInOneTable()
            throws IOException {
        Set<String> variables =
                JobOptions.all().values().stream()
                        .map(Setting::environmentVariable)
                        .collect(Collectors.toSet());
        List<String> found = new ArrayList<>();
        for (Path file : documents()) {
            Path relative = ROOT.relativize(file);
            String text = Files.readString(file);
            Matcher variable = VARIABLE.matcher(text);
            while (variable.find()) {
                String name = variable.group();
                boolean abbreviated =
                        text.startsWith("_…", variable.end())
                                || text.startsWith("_*", variable.end());
                boolean known =
                        variables.contains(name)
                                || NOT_SETTINGS.contains(name)
                                || (abbreviated
                                        && variables.stream()
                                                .anyMatch(v -> v.startsWith(name + "_")));
                if (!known) {
                    found.add(relative + ": " + name);
                }
            }
            if (!relative.equals(Path.of("docs/operations.md"))) {
                for (String key : JobOptions.all().keySet()) {
                    if (text.contains("| `" + key + "` |")) {
                        found.add(
                                relative
                                        + ": a table row for "
                                        + key
                                        + " (the table lives in docs/operations.md)");
                    }
                }
            }
        }
        assertThat(found).as("undeclared VARFLOW_* variables or second settings tables").isEmpty();
    }

    private static List<Path> mainSources() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String module : List.of("model", "operators", "pipeline")) {
            try (Stream<Path> walk = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            }
        }
        assertThat(files).hasSizeGreaterThan(50);
        return files;
    }

    private static List<Path> documents() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        for (String folder : List.of("docs", "deploy")) {
            try (Stream<Path> walk = Files.walk(ROOT.resolve(folder))) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> p.toString().matches(".*\\.(md|ya?ml|properties|env|conf)$"))
                        .forEach(files::add);
            }
        }
        return files;
    }
}
