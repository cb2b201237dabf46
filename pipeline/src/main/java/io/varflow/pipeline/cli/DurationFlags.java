package io.varflow.pipeline.cli;

import io.varflow.pipeline.config.SettingType;
import java.time.Duration;

/** Durations of command flags ({@code --timeout 10m}) in the settings' duration syntax. */
public final class DurationFlags {

    private DurationFlags() {}

    /** {@code text} as a duration; a bad one is a usage error naming {@code flag}. */
    public static Duration parse(String flag, String text) {
        try {
            return SettingType.DURATION_TYPE.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(flag + " " + e.getMessage() + ", got '" + text + "'");
        }
    }
}
