package io.varflow.pipeline.job;

import io.varflow.pipeline.embedded.EmbeddedStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded stack (broker, S3 server) shared by every test of a class: started in a fresh folder
 * before the first test, closed after the last and the folder deleted. Register it with
 * {@code @RegisterExtension static final SharedStack STACK = new SharedStack();} and give each test
 * its own topics ({@link IsolatedTopics}).
 */
final class SharedStack implements BeforeAllCallback, AfterAllCallback {

    private Path work;
    private EmbeddedStack stack;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        work = Files.createTempDirectory("varflow-" + context.getDisplayName() + "-");
        stack = EmbeddedStack.start(work);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            deleteTree(work);
        }
    }

    EmbeddedStack get() {
        return stack;
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
