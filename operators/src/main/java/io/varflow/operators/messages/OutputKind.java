package io.varflow.operators.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What the job stores per image. */
public enum OutputKind {
    /** The decoded image as PNG: {@code {index}.png}. */
    IMAGES("images"),
    /** Every scale's token ids as safetensors: {@code {index}.tokens.safetensors}. */
    TOKEN_MAPS("tokenMaps");

    private final String wireName;

    OutputKind(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static OutputKind fromWire(String text) {
        for (OutputKind kind : values()) {
            if (kind.wireName.equals(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "unknown output '" + text + "'; valid: images, tokenMaps");
    }
}
