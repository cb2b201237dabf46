package io.varflow.model;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The level of libtorch's own log (c10 {@code LOG(...)} lines on stderr, such as {@code Could not
 * initialize NNPACK! Reason: Unsupported hardware}, which a CPU without NNPACK support prints at
 * every small convolution).
 *
 * <p>PyTorch reads {@code TORCH_CPP_LOG_LEVEL} when its Python module starts; libtorch loaded
 * through DJL's JNI never does, so the variable alone has no effect here. This class writes the
 * level into libc10's exported {@code FLAGS_caffe2_log_level}, which every c10 log line is compared
 * with: {@code TORCH_CPP_LOG_LEVEL} when set ({@code INFO}, {@code WARNING}, {@code ERROR}, {@code
 * FATAL} or 0-3, as in PyTorch), {@code ERROR} otherwise.
 */
public final class TorchLogging {

    private static final Logger LOG = LoggerFactory.getLogger(TorchLogging.class);

    /** The environment variable PyTorch reads for the same purpose. */
    public static final String LEVEL_VARIABLE = "TORCH_CPP_LOG_LEVEL";

    static final String LEVEL_FLAG = "FLAGS_caffe2_log_level";
    static final int ERROR = 2;

    private static volatile boolean applied;

    private TorchLogging() {}

    /**
     * Sets libtorch's log level once per JVM; call after the PyTorch engine is loaded (any {@code
     * NDManager} of it). Where libc10 cannot be found (not Linux, engine not loaded yet) it leaves
     * libtorch's default and says so at DEBUG.
     */
    public static void apply() {
        if (applied) {
            return;
        }
        synchronized (TorchLogging.class) {
            if (applied) {
                return;
            }
            int level = level(System.getenv());
            Optional<Pointer> flag = levelFlag();
            if (flag.isPresent()) {
                flag.get().setInt(0, level);
                LOG.debug("libtorch log level set to {} ({} to change)", level, LEVEL_VARIABLE);
            } else {
                LOG.debug("libc10 is not loaded in this process; libtorch keeps its own log level");
            }
            applied = true;
        }
    }

    /**
     * The level {@code env} asks for: {@code TORCH_CPP_LOG_LEVEL} parsed as PyTorch does, else
     * ERROR.
     */
    static int level(Map<String, String> env) {
        String value = env.get(LEVEL_VARIABLE);
        if (value == null || value.isBlank()) {
            return ERROR;
        }
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "0", "INFO" -> 0;
            case "1", "WARNING" -> 1;
            case "2", "ERROR" -> 2;
            case "3", "FATAL" -> 3;
            default -> {
                LOG.warn(
                        "{}={} is not INFO, WARNING, ERROR or FATAL (or 0-3); using ERROR",
                        LEVEL_VARIABLE,
                        value);
                yield ERROR;
            }
        };
    }

    /**
     * libc10's level variable, in the copy of libc10 this process has loaded (DJL's, not a system
     * one).
     */
    static Optional<Pointer> levelFlag() {
        return loadedLibrary("libc10.so")
                .map(
                        path -> {
                            try {
                                return NativeLibrary.getInstance(path.toString())
                                        .getGlobalVariableAddress(LEVEL_FLAG);
                            } catch (UnsatisfiedLinkError e) {
                                LOG.debug("no {} in {}", LEVEL_FLAG, path, e);
                                return null;
                            }
                        });
    }

    /**
     * The mapped file named {@code fileName} in this process, from {@code /proc/self/maps} (Linux).
     */
    static Optional<Path> loadedLibrary(String fileName) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(
                            line ->
                                    line.substring(
                                            line.indexOf('/') < 0
                                                    ? line.length()
                                                    : line.indexOf('/')))
                    .filter(p -> p.endsWith("/" + fileName))
                    .findFirst()
                    .map(Path::of);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
