package io.varflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchLoggingTest {

    private static final int WARNING = 1;
    private static final int ERROR = 2;

    @Test
    void levelFollowsPyTorchsVariableAndDefaultsToError() {
        assertThat(TorchLogging.level(Map.of())).isEqualTo(ERROR);
        assertThat(TorchLogging.level(Map.of(TorchLogging.LEVEL_VARIABLE, "warning")))
                .isEqualTo(WARNING);
        assertThat(TorchLogging.level(Map.of(TorchLogging.LEVEL_VARIABLE, "0"))).isEqualTo(0);
        assertThat(TorchLogging.level(Map.of(TorchLogging.LEVEL_VARIABLE, "FATAL"))).isEqualTo(3);
        assertThat(TorchLogging.level(Map.of(TorchLogging.LEVEL_VARIABLE, "loud")))
                .isEqualTo(ERROR);
    }

    /**
     * Writes a WARNING and an ERROR line through libc10's own logger (what NNPACK's note uses) with
     * the process's stderr pointed at a file: after a model is loaded only the ERROR line shows.
     */
    @Test
    void libtorchWarningsAreNotPrintedOnceAModelIsLoaded(@TempDir Path dir) throws Exception {
        try (VarModel model = VarModel.tiny(RuntimeOptions.CPU_FP32)) {
            assertThat(model).isNotNull();
        }
        Path libc10 = TorchLogging.loadedLibrary("libc10.so").orElse(null);
        assumeTrue(libc10 != null, "libc10 mapped in this process (Linux)");
        assertThat(TorchLogging.levelFlag()).get().extracting(p -> p.getInt(0)).isEqualTo(ERROR);

        Path captured = dir.resolve("stderr.txt");
        withStderrIn(
                captured,
                () -> {
                    log(libc10, WARNING, "varflow-probe-warning");
                    log(libc10, ERROR, "varflow-probe-error");
                });
        String text = Files.readString(captured, StandardCharsets.UTF_8);
        assertThat(text).contains("varflow-probe-error").doesNotContain("varflow-probe-warning");
    }

    /**
     * {@code LOG(severity)} as c10 expands it: a MessageLogger for {@code file}, destroyed at once
     * (prints).
     */
    private static void log(Path libc10, int severity, String file) {
        NativeLibrary c10 = NativeLibrary.getInstance(libc10.toString());
        Memory logger =
                new Memory(64 * 1024); // larger than c10::MessageLogger (a stringstream and a few
        // fields)
        logger.clear();
        c10.getFunction("_ZN3c1013MessageLoggerC1EPKcii")
                .invokeVoid(new Object[] {logger, file, 1, severity});
        c10.getFunction("_ZN3c1013MessageLoggerD1Ev").invokeVoid(new Object[] {logger});
    }

    private static void withStderrIn(Path file, Runnable action) {
        NativeLibrary libc = NativeLibrary.getInstance("c");
        Function dup = libc.getFunction("dup");
        Function dup2 = libc.getFunction("dup2");
        Function close = libc.getFunction("close");
        int target = libc.getFunction("creat").invokeInt(new Object[] {file.toString(), 0644});
        assertThat(target).isGreaterThanOrEqualTo(0);
        int saved = dup.invokeInt(new Object[] {2});
        dup2.invokeInt(new Object[] {target, 2});
        try {
            action.run();
        } finally {
            dup2.invokeInt(new Object[] {saved, 2});
            close.invokeInt(new Object[] {saved});
            close.invokeInt(new Object[] {target});
        }
    }
}
