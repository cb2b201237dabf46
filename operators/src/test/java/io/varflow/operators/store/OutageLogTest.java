package io.varflow.operators.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

class OutageLogTest {

    /** The lines the outage log writes, formatted. */
    private final List<String> lines = new ArrayList<>();

    private final Logger recording =
            new SubstituteLogger("test", null, true) {
                @Override
                public void warn(String format, Object... arguments) {
                    lines.add(MessageFormatter.arrayFormat(format, arguments).getMessage());
                }
            };

    @Test
    void anOutageIsLoggedWhenItStartsAndWhenItEndsNotPerAttempt() {
        OutageLog log = new OutageLog(recording, "Object store X", "retrying");
        log.succeeded(1_000);
        for (int i = 0; i < 500; i++) {
            log.failed(new IOException("Connection refused " + i), 2_000 + i);
        }
        assertThat(log.inOutage()).isTrue();
        log.succeeded(95_500);
        log.succeeded(96_000);
        log.failed(new IOException("again"), 100_000);
        log.succeeded(101_000);

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0))
                .isEqualTo(
                        "Object store X is failing: java.io.IOException: Connection refused 0; retrying (logged again when it"
                                + " recovers)");
        assertThat(lines.get(1))
                .isEqualTo(
                        "Object store X recovered after 93.5 s; 500 attempts failed meanwhile"
                                + " (last error: java.io.IOException: Connection refused 499)");
        assertThat(lines.get(3)).startsWith("Object store X recovered after 1.0 s; 1 attempts");
        assertThat(log.inOutage()).isFalse();
    }
}
