package io.varflow.model.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * File paths for classpath resources such as the bundled tiny model ({@code varflow/tiny/vae.pth}),
 * so that {@link Checkpoints#open} can memory-map them. A resource that is already a plain file (an
 * exploded classes directory) is used in place; one inside a jar is copied once per JVM to a temp
 * file that is deleted on exit.
 */
public final class BundledFiles {

    private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

    private BundledFiles() {}

    /**
     * The file holding classpath resource {@code name} (no leading slash, e.g. {@code
     * varflow/tiny/var.pth}).
     *
     * @throws IllegalArgumentException when no such resource exists
     */
    public static Path path(String name) {
        String resource = name.startsWith("/") ? name.substring(1) : name;
        URL url = BundledFiles.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("classpath resource '" + resource + "' not found");
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                // Fall through to copying.
            }
        }
        return COPIES.computeIfAbsent(resource, r -> copy(url, r));
    }

    private static Path copy(URL url, String resource) {
        String fileName = resource.substring(resource.lastIndexOf('/') + 1);
        try (InputStream in = url.openStream()) {
            Path dir = Files.createTempDirectory("varflow-bundled-");
            Path target = dir.resolve(fileName);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            target.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot copy classpath resource '" + resource + "' to a temp file", e);
        }
    }
}
