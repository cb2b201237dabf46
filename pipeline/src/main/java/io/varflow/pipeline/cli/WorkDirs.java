package io.varflow.pipeline.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Default work folders of the embedded stack: {@code .varflow/<command>-<timestamp>} under the repo
 * root.
 */
public final class WorkDirs {

    private WorkDirs() {}

    public static Path fresh(String command) {
        String home = System.getProperty("varflow.home", ".");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of(home, ".varflow", command + "-" + stamp).toAbsolutePath().normalize();
    }
}
