package io.varflow.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writing a command's result folder. */
final class OutputFiles {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OutputFiles() {}

    /** Creates {@code dir} (and parents); refuses a path that exists and is not a folder. */
    static Path prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserInputException("--out " + dir + " exists and is not a folder");
        }
        Files.createDirectories(dir);
        return dir;
    }

    static void writeJson(Path file, Object value) throws IOException {
        JSON.writeValue(file.toFile(), value);
    }

    /** File name stem of image {@code i}: {@code image_000}, {@code image_001}, … */
    static String stem(int i) {
        return String.format(java.util.Locale.ROOT, "image_%03d", i);
    }
}
