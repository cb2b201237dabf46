package io.varflow.model.config;

/** A model configuration that cannot describe a real VQVAE + VAR pair; the message says why. */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
