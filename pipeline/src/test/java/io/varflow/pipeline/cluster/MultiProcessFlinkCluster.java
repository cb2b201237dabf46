package io.varflow.pipeline.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A real Flink session cluster made of separate JVMs, like a standalone deployment: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and any number of TaskManagers ({@code
 * TaskManagerRunner}), all bound to loopback and configured through a generated {@code
 * config.yaml}. Jobs are submitted over REST with {@link RestClusterClient}. TaskManagers can be
 * killed (as if their machine died) and replaced. The JVMs share the test class path, so job
 * classes need no upload.
 */
public final class MultiProcessFlinkCluster implements AutoCloseable {

    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private final ChildJvm.Setup setup;
    private final Path confDir;
    private final Configuration config;
    private final ChildJvm jobManager;
    private final List<ChildJvm> taskManagers = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RestClusterClient<StandaloneClusterId> client;
    private int startedTaskManagers;

    private MultiProcessFlinkCluster(
            Path workDir,
            Path confDir,
            Configuration config,
            ChildJvm jobManager,
            ChildJvm.Setup setup) {
        this.setup = setup;
        this.workDir = workDir;
        this.confDir = confDir;
        this.config = config;
        this.jobManager = jobManager;
    }

    /**
     * Starts a JobManager and {@code taskManagers} TaskManagers with {@code slotsPerTaskManager}
     * slots each and waits until all TaskManagers are registered. {@code extra} entries override
     * the defaults.
     */
    public static MultiProcessFlinkCluster start(
            Path workDir,
            int taskManagers,
            int slotsPerTaskManager,
            Map<String, String> extra,
            Duration timeout)
            throws Exception {
        return start(
                workDir,
                taskManagers,
                slotsPerTaskManager,
                extra,
                ChildJvm.Setup.testClassPath(),
                timeout);
    }

    /**
     * As above, with the JVMs' class path and environment given (e.g. Flink alone, as in a Flink
     * image).
     */
    public static MultiProcessFlinkCluster start(
            Path workDir,
            int taskManagers,
            int slotsPerTaskManager,
            Map<String, String> extra,
            ChildJvm.Setup setup,
            Duration timeout)
            throws Exception {
        Files.createDirectories(workDir);
        Configuration config = defaults(workDir, slotsPerTaskManager);
        extra.forEach(config::setString);
        Path confDir = workDir.resolve("conf");
        writeConfigYaml(config, confDir);
        ChildJvm jobManager =
                ChildJvm.start(
                        "jobmanager",
                        setup,
                        List.of("-Xms128m", "-Xmx512m"),
                        JOB_MANAGER_MAIN,
                        List.of("--configDir", confDir.toString()),
                        workDir.resolve("log/jobmanager.log"));
        MultiProcessFlinkCluster cluster =
                new MultiProcessFlinkCluster(workDir, confDir, config, jobManager, setup);
        try {
            cluster.awaitRest(timeout);
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.awaitRegisteredTaskManagers(taskManagers, timeout);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Small, fast-failing settings fit for a 2-core machine; checkpoints go to a local directory.
     */
    private static Configuration defaults(Path workDir, int slots) {
        Configuration c = new Configuration();
        c.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        c.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(JobManagerOptions.PORT, FreePorts.next());
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.PORT, FreePorts.next());
        c.set(TaskManagerOptions.HOST, "127.0.0.1");
        c.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        c.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse("1g"));
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("32m"));
        c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("32m"));
        c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("32m"));
        c.set(TaskManagerOptions.TASK_OFF_HEAP_MEMORY, MemorySize.parse("64m"));
        // A killed TaskManager must be noticed in seconds, not the default 50 s.
        c.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
        c.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(8));
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        c.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                workDir.resolve("checkpoints").toUri().toString());
        c.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                workDir.resolve("savepoints").toUri().toString());
        c.set(CoreOptions.TMP_DIRS, workDir.resolve("tmp").toString());
        // Task metrics over REST (records per TaskManager) fresh within a second, not ten.
        c.setString("metrics.fetcher.update-interval", "500 ms");
        return c;
    }

    /** Flink 2.x reads {@code config.yaml}; flat dotted keys are valid there. */
    private static void writeConfigYaml(Configuration config, Path confDir) throws IOException {
        Files.createDirectories(confDir);
        Map<String, String> flat = new TreeMap<>(config.toMap());
        new ObjectMapper(new YAMLFactory())
                .writeValue(confDir.resolve("config.yaml").toFile(), flat);
    }

    /**
     * Starts one more TaskManager JVM with the memory layout Flink's own start script would
     * compute.
     */
    public ChildJvm startTaskManager() throws IOException {
        Configuration loaded = GlobalConfiguration.loadConfiguration(confDir.toString());
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(loaded);
        List<String> jvmArgs =
                Arrays.asList(
                        ProcessMemoryUtils.generateJvmParametersStr(spec).trim().split("\\s+"));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(
                Arrays.asList(
                        TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)
                                .trim()
                                .split("\\s+")));
        int index = startedTaskManagers++;
        ChildJvm tm =
                ChildJvm.start(
                        "taskmanager-" + index,
                        setup,
                        jvmArgs,
                        TASK_MANAGER_MAIN,
                        args,
                        workDir.resolve("log/taskmanager-" + index + ".log"));
        taskManagers.add(tm);
        return tm;
    }

    /** TaskManager JVMs started so far that are still alive. */
    public List<ChildJvm> liveTaskManagers() {
        return taskManagers.stream().filter(ChildJvm::isAlive).toList();
    }

    public ChildJvm jobManager() {
        return jobManager;
    }

    public Configuration configuration() {
        return new Configuration(config);
    }

    public String restAddress() {
        return "http://127.0.0.1:" + config.get(RestOptions.PORT);
    }

    /** A REST client for this cluster, created on first use and closed with the cluster. */
    public synchronized RestClusterClient<StandaloneClusterId> client() throws Exception {
        if (client == null) {
            client =
                    new RestClusterClient<>(
                            new Configuration(config), StandaloneClusterId.getInstance());
        }
        return client;
    }

    /**
     * Submits the job as a {@link JobGraph}, the form every Flink client sends to a session
     * cluster.
     */
    public JobID submit(StreamGraph streamGraph) throws Exception {
        return submit(streamGraph, List.of());
    }

    /**
     * Submits the job with user jars, which the client uploads and the cluster loads the job's
     * classes from.
     */
    public JobID submit(StreamGraph streamGraph, List<Path> userJars) throws Exception {
        JobGraph jobGraph = streamGraph.getJobGraph(Thread.currentThread().getContextClassLoader());
        for (Path jar : userJars) {
            jobGraph.addJar(new org.apache.flink.core.fs.Path(jar.toUri()));
        }
        return client().submitJob(jobGraph).get(120, TimeUnit.SECONDS);
    }

    /** GET on the REST API, parsed as JSON. */
    public JsonNode rest(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(restAddress() + path))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Number of TaskManagers the JobManager currently has registered. */
    public int registeredTaskManagers() throws IOException, InterruptedException {
        return rest("/taskmanagers").path("taskmanagers").size();
    }

    public void awaitRegisteredTaskManagers(int count, Duration timeout) throws Exception {
        await(
                () -> {
                    try {
                        return registeredTaskManagers() == count;
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                timeout,
                count + " registered TaskManagers");
    }

    /** Waits until the job is RUNNING and every one of its subtasks is running. */
    public void awaitAllTasksRunning(JobID job, Duration timeout) throws Exception {
        await(
                () -> {
                    try {
                        JsonNode details = rest("/jobs/" + job);
                        if (!"RUNNING".equals(details.path("state").asText())) {
                            return false;
                        }
                        for (JsonNode vertex : details.path("vertices")) {
                            int running = vertex.path("tasks").path("RUNNING").asInt();
                            if (running != vertex.path("parallelism").asInt()) {
                                return false;
                            }
                        }
                        return true;
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                timeout,
                "all tasks of job " + job + " running");
    }

    /**
     * Records each TaskManager's subtasks of the vertex named like {@code vertexNamePart} have read
     * so far, by TaskManager id (from the task metrics the JobManager fetches).
     */
    public Map<String, Long> recordsReadPerTaskManager(JobID job, String vertexNamePart)
            throws Exception {
        Map<String, Long> records = new TreeMap<>();
        for (JsonNode vertex : rest("/jobs/" + job).path("vertices")) {
            if (vertex.path("name").asText().contains(vertexNamePart)) {
                JsonNode tms =
                        rest(
                                "/jobs/"
                                        + job
                                        + "/vertices/"
                                        + vertex.path("id").asText()
                                        + "/taskmanagers");
                for (JsonNode tm : tms.path("taskmanagers")) {
                    records.merge(
                            tm.path("taskmanager-id").asText(),
                            tm.path("metrics").path("read-records").asLong(),
                            Long::sum);
                }
            }
        }
        return records;
    }

    /**
     * The ids of the TaskManagers that run at least one subtask of the job's vertex named like
     * {@code name}.
     */
    public List<String> taskManagersRunning(JobID job, String vertexNamePart) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode vertex : rest("/jobs/" + job).path("vertices")) {
            if (vertex.path("name").asText().contains(vertexNamePart)) {
                JsonNode tms =
                        rest(
                                "/jobs/"
                                        + job
                                        + "/vertices/"
                                        + vertex.path("id").asText()
                                        + "/taskmanagers");
                for (JsonNode tm : tms.path("taskmanagers")) {
                    ids.add(tm.path("taskmanager-id").asText());
                }
            }
        }
        return ids;
    }

    /**
     * The failures the job recovered from, newest first, as "exception @ endpoint" lines from the
     * JobManager's exception history (metrics such as numRestarts reach REST only every few
     * seconds).
     */
    public List<String> failures(JobID job) throws Exception {
        List<String> failures = new ArrayList<>();
        for (JsonNode entry :
                rest("/jobs/" + job + "/exceptions?maxExceptions=20")
                        .path("exceptionHistory")
                        .path("entries")) {
            failures.add(
                    entry.path("exceptionName").asText() + " @ " + entry.path("endpoint").asText());
        }
        return failures;
    }

    /** Number of completed checkpoints of the job. */
    public long completedCheckpoints(JobID job) throws Exception {
        return rest("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
    }

    void await(BooleanSupplier condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Timed out after "
                                + timeout
                                + " waiting for "
                                + what
                                + "\n--- jobmanager log tail ---\n"
                                + jobManager.logTail(40));
            }
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("JobManager exited:\n" + jobManager.logTail(60));
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private void awaitRest(Duration timeout) throws Exception {
        await(
                () -> {
                    try {
                        rest("/config");
                        return true;
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                timeout,
                "the JobManager's REST endpoint");
    }

    /**
     * Stops every TaskManager, then the JobManager (SIGTERM, SIGKILL after 15 s). Safe to call
     * twice.
     */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        if (client != null) {
            client.close();
        }
        for (ChildJvm tm : taskManagers) {
            try {
                tm.close();
            } catch (Exception e) {
                failure = e;
            }
        }
        jobManager.close();
        if (failure != null) {
            throw failure;
        }
    }
}
