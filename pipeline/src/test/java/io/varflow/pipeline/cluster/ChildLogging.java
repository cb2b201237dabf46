package io.varflow.pipeline.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One log4j2 configuration for all child JVMs: INFO to stdout, which {@link ChildJvm} sends to a
 * file.
 */
final class ChildLogging {

    private static Path file;

    private ChildLogging() {}

    static synchronized Path configFile() {
        if (file == null) {
            try {
                file = Files.createTempFile("varflow-child-log4j2", ".properties");
                file.toFile().deleteOnExit();
                Files.writeString(
                        file,
                        String.join(
                                "\n",
                                "rootLogger.level = INFO",
                                "rootLogger.appenderRef.out.ref = out",
                                "appender.out.type = Console",
                                "appender.out.name = out",
                                "appender.out.layout.type = PatternLayout",
                                "appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} [%t] %m%n",
                                // Kafka's and Pekko's INFO chatter hides what the tests are about.
                                "logger.kafka.name = org.apache.kafka",
                                "logger.kafka.level = WARN",
                                "logger.kafkaserver.name = kafka",
                                "logger.kafkaserver.level = WARN",
                                "logger.pekko.name = org.apache.pekko",
                                "logger.pekko.level = WARN",
                                ""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
