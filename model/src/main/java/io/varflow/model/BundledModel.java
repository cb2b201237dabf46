package io.varflow.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.checkpoint.BundledFiles;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model shipped on the classpath under {@code varflow/<name>/}: {@code config.json}, {@code
 * vae.pth}, {@code var.pth} and, for a model trained on named classes, {@code classes.json} (a JSON
 * list of names in label order). Two are bundled: {@value #DEFAULT}, trained on Fashion-MNIST,
 * which the command line uses unless told otherwise, and {@code tiny}, random weights that the
 * golden tests pin.
 */
public record BundledModel(
        String name,
        ModelConfig config,
        Path configFile,
        Path vae,
        Path var,
        List<String> classNames) {

    /** The model the command line's local runs and in-process commands use when given no other. */
    public static final String DEFAULT = "fashion";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The bundled model called {@code name}, if the classpath has one. */
    public static Optional<BundledModel> find(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
            return Optional.empty();
        }
        String dir = "varflow/" + name + "/";
        ClassLoader loader = BundledModel.class.getClassLoader();
        if (loader.getResource(dir + "config.json") == null
                || loader.getResource(dir + "vae.pth") == null) {
            return Optional.empty();
        }
        List<String> names = List.of();
        try (InputStream in = loader.getResourceAsStream(dir + "classes.json")) {
            if (in != null) {
                names = JSON.readValue(in, new TypeReference<List<String>>() {});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "bundled model " + name + ": unreadable classes.json", e);
        }
        Path configFile = BundledFiles.path(dir + "config.json");
        return Optional.of(
                new BundledModel(
                        name,
                        ModelConfigs.read(configFile),
                        configFile,
                        BundledFiles.path(dir + "vae.pth"),
                        BundledFiles.path(dir + "var.pth"),
                        List.copyOf(names)));
    }

    /** The bundled model {@code name}, or an exception that lists the bundled ones. */
    public static BundledModel require(String name) {
        return find(name)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "no bundled model '"
                                                + name
                                                + "' (bundled: "
                                                + DEFAULT
                                                + ", tiny)"));
    }

    /** Class names of model {@code name} when it is bundled with names; empty otherwise. */
    public static List<String> classNamesOf(String name) {
        return find(name).map(BundledModel::classNames).orElse(List.of());
    }

    /**
     * The name of class {@code label}: its bundled name, {@code null class} for the label one past
     * the named classes (the unconditional label that in-painting draws with), or {@code class N}
     * for models without names.
     */
    public static String labelName(List<String> classNames, int label) {
        if (label >= 0 && label < classNames.size()) {
            return classNames.get(label);
        }
        return !classNames.isEmpty() && label == classNames.size()
                ? "null class"
                : "class " + label;
    }
}
