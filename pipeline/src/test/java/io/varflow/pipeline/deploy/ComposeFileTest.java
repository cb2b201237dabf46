package io.varflow.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.RuntimeOptions;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.Setting;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml parses and its services agree with each other and with the job's settings:
 * the broker the job connects to is the one advertised, the topics and buckets it needs are
 * created, credentials match, the TaskManager gets a GPU per slot, and every VARFLOW_* variable is
 * a real setting.
 */
class ComposeFileTest {

    private final JsonNode compose = load();
    private final JsonNode services = compose.path("services");
    private final JsonNode jobManager = services.path("jobmanager");
    private final JsonNode taskManager = services.path("taskmanager");
    private final Map<String, String> jobEnv = DeployFiles.environment(jobManager);

    private static JsonNode load() {
        try {
            return DeployFiles.yaml(DeployFiles.deploy("compose.yaml"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The job's settings as the JobManager container would read them (defaults + VARFLOW_*
     * variables).
     */
    private JobConfig jobConfig() {
        return JobConfig.builder().environment(jobEnv).build();
    }

    @Test
    void hasTheWholeStack() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "kafka", "kafka-init", "minio", "minio-init", "jobmanager", "taskmanager");
    }

    @Test
    void everyVarflowVariableIsADeclaredSettingAndTheirValuesParse() {
        Set<String> declared =
                JobOptions.all().values().stream()
                        .map(Setting::environmentVariable)
                        .collect(Collectors.toSet());
        services.fields()
                .forEachRemaining(
                        service ->
                                DeployFiles.environment(service.getValue()).keySet().stream()
                                        .filter(name -> name.startsWith("VARFLOW_"))
                                        .forEach(
                                                name ->
                                                        assertThat(declared)
                                                                .as(
                                                                        "%s in service %s",
                                                                        name, service.getKey())
                                                                .contains(name)));
        JobConfig config = jobConfig();
        assertThat(config.get(JobOptions.JOB_PARALLELISM)).isPositive();
        assertThat(config.get(JobOptions.BATCH_MAX_IMAGES).images()).isPositive();
        assertThat(config.get(JobOptions.JOB_CHECKPOINT_INTERVAL)).isPositive();
        assertThat(config.get(JobOptions.MODEL_DEVICE)).isEqualTo(RuntimeOptions.Device.GPU);
    }

    @Test
    void theJobConnectsToTheBrokersInternalListenerAndTheHostGetsTheExternalOne()
            throws IOException {
        Map<String, String> kafka = DeployFiles.environment(services.path("kafka"));
        String bootstrap = jobConfig().get(JobOptions.KAFKA_BOOTSTRAP_SERVERS);
        Map<String, String> advertised = listeners(kafka.get("KAFKA_ADVERTISED_LISTENERS"));
        assertThat(advertised).containsValue(bootstrap);
        String listener =
                advertised.entrySet().stream()
                        .filter(e -> e.getValue().equals(bootstrap))
                        .findFirst()
                        .orElseThrow()
                        .getKey();
        assertThat(listeners(kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")).get(listener))
                .as("the job's security.protocol is the listener's")
                .isEqualTo(jobConfig().get(JobOptions.KAFKA_SECURITY_PROTOCOL));
        String external = advertised.get("EXTERNAL");
        assertThat(external).startsWith("localhost:");
        String port = external.substring(external.indexOf(':') + 1);
        assertThat(texts(services.path("kafka").path("ports"))).contains(port + ":" + port);
        assertThat(Files.readString(DeployFiles.deploy("compose.yaml")))
                .as("the usage comment submits to the external listener")
                .contains("./varflow submit --bootstrap-servers " + external);
        assertThat(kafka.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo("1@kafka:9093");
        assertThat(Long.parseLong(kafka.get("KAFKA_TRANSACTION_MAX_TIMEOUT_MS")))
                .as("the job's transaction timeout fits under the broker's maximum")
                .isGreaterThanOrEqualTo(
                        jobConfig().get(JobOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis());
    }

    @Test
    void brokerImageIsTheKafkaVersionOfTheClients() {
        assertThat(services.path("kafka").path("image").asText())
                .isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(services.path("kafka-init").path("image").asText())
                .isEqualTo(services.path("kafka").path("image").asText());
    }

    @Test
    void initCreatesExactlyTheTopicsTheJobUses() {
        String script = DeployFiles.interpolate(text(services.path("kafka-init").path("command")));
        JobConfig config = jobConfig();
        java.util.regex.Matcher loop =
                java.util.regex.Pattern.compile("for spec in ([^;]+);").matcher(script);
        assertThat(loop.find()).as("kafka-init loops over topic:partitions").isTrue();
        Set<String> created = new HashSet<>();
        for (String spec : loop.group(1).trim().split("\\s+")) {
            assertThat(spec).matches("[a-z.-]+:[1-9][0-9]*");
            created.add(spec.substring(0, spec.indexOf(':')));
        }
        assertThat(created)
                .containsExactlyInAnyOrder(
                        config.get(JobOptions.TOPIC_REQUESTS), config.get(JobOptions.TOPIC_EDITS),
                        config.get(JobOptions.TOPIC_RESULTS),
                                config.get(JobOptions.TOPIC_DEAD_LETTERS));
        assertThat(script)
                .contains("--bootstrap-server " + config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS));
    }

    @Test
    void theJobAndFlinkReachMinioWithItsOwnCredentialsAndTheirBucketsExist() throws IOException {
        Map<String, String> minio = DeployFiles.environment(services.path("minio"));
        JobConfig config = jobConfig();
        URI endpoint = URI.create(config.get(JobOptions.S3_ENDPOINT));
        assertThat(endpoint.getHost()).isEqualTo("minio");
        assertThat(texts(services.path("minio").path("ports")))
                .contains(endpoint.getPort() + ":" + endpoint.getPort());
        assertThat(config.get(JobOptions.S3_ACCESS_KEY)).isEqualTo(minio.get("MINIO_ROOT_USER"));
        assertThat(config.get(JobOptions.S3_SECRET_KEY))
                .isEqualTo(minio.get("MINIO_ROOT_PASSWORD"));
        assertThat(DeployFiles.environment(services.path("minio-init")))
                .containsAllEntriesOf(minio);

        String init = DeployFiles.interpolate(text(services.path("minio-init").path("command")));
        assertThat(init).contains("mc alias set local " + config.get(JobOptions.S3_ENDPOINT));
        Set<String> buckets = new HashSet<>();
        for (String word : init.split("\\s+")) {
            if (word.startsWith("local/")) {
                buckets.add(word.substring("local/".length()));
            }
        }
        Map<String, String> flink = DeployFiles.flinkProperties(jobManager);
        assertThat(buckets)
                .contains(
                        config.get(JobOptions.S3_BUCKET),
                        URI.create(config.require(JobOptions.JOB_CHECKPOINT_DIR)).getHost(),
                        URI.create(flink.get("execution.checkpointing.savepoint-dir")).getHost());
        for (JsonNode flinkService : List.of(jobManager, taskManager)) {
            Map<String, String> props = DeployFiles.flinkProperties(flinkService);
            assertThat(props.get("s3.endpoint")).isEqualTo(config.get(JobOptions.S3_ENDPOINT));
            assertThat(props.get("s3.access-key")).isEqualTo(minio.get("MINIO_ROOT_USER"));
            assertThat(props.get("s3.secret-key")).isEqualTo(minio.get("MINIO_ROOT_PASSWORD"));
        }
    }

    @Test
    void jobManagerRunsTheClusterEntryPointFromTheImageBuiltByTheDockerfile() throws Exception {
        assertThat(jobManager.path("build").path("dockerfile").asText())
                .isEqualTo("deploy/Dockerfile");
        assertThat(
                        DeployFiles.deploy(jobManager.path("build").path("context").asText())
                                .resolve(jobManager.path("build").path("dockerfile").asText()))
                .isRegularFile();
        assertThat(taskManager.path("image").asText()).isEqualTo(jobManager.path("image").asText());
        List<String> command = texts(jobManager.path("command"));
        assertThat(command.get(0)).isEqualTo("standalone-job");
        String entry = command.get(command.indexOf("--job-classname") + 1);
        Method main = Class.forName(entry).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
        assertThat(texts(taskManager.path("command"))).containsExactly("taskmanager");
    }

    @Test
    void flinkSettingsAgreeAcrossJobManagerAndTaskManager() throws IOException {
        Map<String, String> jm = DeployFiles.flinkProperties(jobManager);
        Map<String, String> tm = DeployFiles.flinkProperties(taskManager);
        for (Map<String, String> props : List.of(jm, tm)) {
            assertThat(props.get("jobmanager.rpc.address")).isEqualTo("jobmanager");
            assertThat(props.get("env.java.opts.all")).contains("-Dai.djl.offline=true");
            assertThat(props.get("metrics.reporter.prom.factory.class"))
                    .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            assertThat(props.get("metrics.reporter.prom.port")).isEqualTo("9249");
        }
        assertThat(texts(jobManager.path("ports"))).contains("8081:8081");
    }

    @Test
    void eachTaskManagerSlotHasAGpuAndParallelismIsTheNumberOfGpus() throws IOException {
        JsonNode devices =
                taskManager.path("deploy").path("resources").path("reservations").path("devices");
        assertThat(devices).hasSize(1);
        JsonNode gpu = devices.get(0);
        assertThat(gpu.path("driver").asText()).isEqualTo("nvidia");
        assertThat(texts(gpu.path("capabilities"))).contains("gpu");
        int slots =
                Integer.parseInt(
                        DeployFiles.flinkProperties(taskManager)
                                .get("taskmanager.numberOfTaskSlots"));
        assertThat(gpu.path("count").asInt()).as("one GPU per slot").isEqualTo(slots);
        int replicas = taskManager.path("deploy").path("replicas").asInt(1);
        assertThat(jobConfig().get(JobOptions.JOB_PARALLELISM)).isEqualTo(replicas * slots);
    }

    private static Map<String, String> listeners(String spec) {
        return java.util.Arrays.stream(spec.split(","))
                .map(s -> s.split(":", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1].replaceFirst("^//", "")));
    }

    private static String text(JsonNode node) {
        return node.isArray() ? String.join(" ", texts(node)) : node.asText();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
