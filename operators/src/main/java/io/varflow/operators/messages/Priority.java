package io.varflow.operators.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Scheduling class of a request: interactive work is batched before bulk work. */
public enum Priority {
    INTERACTIVE,
    BULK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Priority fromWire(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
}
