package io.varflow.pipeline.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Java child process started with this JVM's class path, so a child runs the very classes under
 * test (Flink's entry points, the varflow job, DJL) without a jar upload. Output goes to a log
 * file. Every child is also destroyed by a shutdown hook, so a crashed or interrupted test leaves
 * no JVM behind.
 */
final class ChildJvm implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> LIVE.forEach(Process::destroyForcibly), "child-jvm-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} in a new JVM with the test class path. */
    static ChildJvm start(
            String name, List<String> jvmArgs, String mainClass, List<String> args, Path log)
            throws IOException {
        return start(name, Setup.testClassPath(), jvmArgs, mainClass, args, log);
    }

    /**
     * The class path and extra environment variables of a child JVM.
     *
     * @param classPath the child's class path
     * @param environment variables added to this process's environment
     */
    record Setup(String classPath, java.util.Map<String, String> environment) {

        /** The test class path, no extra variables: children run exactly the classes under test. */
        static Setup testClassPath() {
            return new Setup(ChildJvm.testClassPath(), java.util.Map.of());
        }
    }

    /**
     * Starts {@code mainClass} in a new JVM; {@code jvmArgs} come after the inherited module
     * options.
     */
    static ChildJvm start(
            String name,
            Setup setup,
            List<String> jvmArgs,
            String mainClass,
            List<String> args,
            Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(inheritedJvmOptions());
        command.add("-Dlog4j2.configurationFile=" + ChildLogging.configFile().toUri());
        // The class path may hold more than one SLF4J binding (S3Proxy brings logback): pin log4j2.
        command.add("-Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(setup.classPath());
        command.add(mainClass);
        command.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command);
        // Several JVMs share two cores here: one intra-op thread each keeps libtorch from
        // oversubscribing.
        builder.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        builder.environment().putAll(setup.environment());
        Process process =
                builder.redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return new ChildJvm(name, process, log);
    }

    /**
     * The class path of the tests. Surefire and failsafe may start the test JVM from a
     * manifest-only jar; they then publish the real class path as {@code surefire.test.class.path}.
     */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank()
                ? surefire
                : System.getProperty("java.class.path");
    }

    /** The module opening and DJL options the test JVM runs with: children need the same. */
    private static List<String> inheritedJvmOptions() {
        List<String> options = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens")
                    || arg.startsWith("--add-exports")
                    || arg.startsWith("-Dai.djl.")
                    || arg.startsWith("-Xss")) {
                options.add(arg);
            }
        }
        if (options.stream().noneMatch(o -> o.startsWith("-Dai.djl.offline"))) {
            options.add("-Dai.djl.offline=true");
        }
        return options;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /**
     * Kills the process the way a lost machine would: no shutdown hooks, no goodbye to the cluster.
     */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") did not die within 30 s");
        }
    }

    /** The last lines of the child's output, for assertion messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
