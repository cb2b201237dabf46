package io.varflow.pipeline.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** An {@link EvalStore} on a local directory: keys are relative paths with '/' separators. */
public final class DirectoryEvalStore implements EvalStore {

    private final Path root;

    public DirectoryEvalStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public Set<String> list(String prefix) throws IOException {
        if (!Files.isDirectory(root)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(
                            p ->
                                    root.relativize(p)
                                            .toString()
                                            .replace(p.getFileSystem().getSeparator(), "/"))
                    .filter(k -> k.startsWith(prefix))
                    .collect(Collectors.toSet());
        }
    }

    @Override
    public byte[] get(String key) throws IOException {
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root)) {
            throw new IllegalArgumentException("key " + key + " leaves the store's directory");
        }
        return Files.readAllBytes(file);
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
