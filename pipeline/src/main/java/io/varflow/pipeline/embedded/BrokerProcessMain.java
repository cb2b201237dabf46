package io.varflow.pipeline.embedded;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the embedded broker's child JVM: formats the KRaft storage with Kafka's own {@code
 * kafka.tools.StorageTool}, then runs {@code kafka.Kafka}. Arguments: cluster id, path of {@code
 * server.properties}.
 *
 * <p>The parent keeps this process's stdin open; when the parent dies for any reason (even {@code
 * kill -9}) the pipe closes and this process exits, so no orphaned broker outlives the command.
 */
public final class BrokerProcessMain {

    private BrokerProcessMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: BrokerProcessMain <cluster-id> <server.properties>");
            System.exit(2);
        }
        exitWhenParentGoes(System.in);
        int formatted =
                kafka.tools.StorageTool.execute(
                        new String[] {"format", "-t", args[0], "-c", args[1], "--ignore-formatted"},
                        System.out);
        if (formatted != 0) {
            System.err.println("kafka storage format failed with status " + formatted);
            System.exit(formatted);
        }
        kafka.Kafka.main(new String[] {args[1]});
    }

    private static void exitWhenParentGoes(InputStream parentPipe) {
        Thread watchdog =
                new Thread(
                        () -> {
                            try {
                                while (parentPipe.read() >= 0) {
                                    // The parent never writes; any byte is ignored.
                                }
                            } catch (IOException ignored) {
                                // A broken pipe means the same as end of stream.
                            }
                            System.exit(0);
                        },
                        "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
