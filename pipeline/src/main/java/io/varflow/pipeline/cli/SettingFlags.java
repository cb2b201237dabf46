package io.varflow.pipeline.cli;

import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.Setting;
import io.varflow.pipeline.config.SettingType;
import java.util.List;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Command line flags derived from setting declarations: a picocli model transformer adds one option
 * per setting that declares a {@link Setting#flag()}, with the setting's description, type and
 * default; {@link #applyTo} hands the given texts to a {@link JobConfig.Builder}, which parses and
 * checks them like any other source. Subclasses choose the settings.
 */
abstract class SettingFlags implements IModelTransformer {

    /** The settings whose flags this transformer adds. */
    abstract List<Setting<?>> settings();

    @Override
    public CommandSpec transform(CommandSpec spec) {
        for (Setting<?> setting : settings()) {
            setting.flag().ifPresent(flag -> spec.addOption(option(setting, flag)));
        }
        return spec;
    }

    /**
     * A true/false setting's flag alone means true ({@code --create-missing}); others take a value.
     */
    private static OptionSpec option(Setting<?> setting, String flag) {
        OptionSpec.Builder option =
                OptionSpec.builder(flag)
                        .paramLabel(
                                setting.type().name().contains("|")
                                        ? setting.type().name()
                                        : label(setting))
                        .type(String.class)
                        .description(description(setting));
        if (setting.type() == SettingType.BOOLEAN) {
            option.arity("0..1").fallbackValue("true");
        }
        return option.build();
    }

    /** Passes the flags given on {@code command}'s line to {@code builder}. */
    static void applyTo(CommandSpec command, List<Setting<?>> settings, JobConfig.Builder builder) {
        for (Setting<?> setting : settings) {
            setting.flag().ifPresent(flag -> builder.flag(setting, given(command, flag)));
        }
    }

    /** The text given for {@code flag} on {@code command}'s line, or null. */
    static String given(CommandSpec command, String flag) {
        OptionSpec option = command.findOption(flag);
        return option == null ? null : option.getValue();
    }

    private static String label(Setting<?> setting) {
        return setting.type().name().toUpperCase(java.util.Locale.ROOT);
    }

    private static String description(Setting<?> setting) {
        String text = setting.description() + " (setting " + setting.key();
        if (setting.defaultValue() != null && !setting.defaultText().isEmpty()) {
            text += ", default " + setting.defaultText();
        }
        return text + ").";
    }
}
