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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s/ parses and hangs together: the FlinkDeployment asks for one GPU per slot with
 * parallelism = GPUs, keeps checkpoints and savepoints on S3, reports to Prometheus, runs the job's
 * entry point from the image's jar, and every Secret key, ConfigMap and VARFLOW_* setting it refers
 * to exists; the settings file is read by the job's own settings parser.
 */
class KubernetesManifestsTest {

    private static final String MAIN_CONTAINER = "flink-main-container";

    @TempDir Path tmp;

    private final Map<String, JsonNode> byKindAndName = loadAll();
    private final JsonNode deployment = byKindAndName.get("FlinkDeployment/varflow");
    private final JsonNode spec = deployment.path("spec");
    private final JsonNode flinkConf = spec.path("flinkConfiguration");

    private static Map<String, JsonNode> loadAll() {
        Map<String, JsonNode> all = new HashMap<>();
        try (Stream<Path> files = Files.list(DeployFiles.deploy("k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : DeployFiles.yamlDocuments(file)) {
                    all.put(
                            doc.path("kind").asText()
                                    + "/"
                                    + doc.path("metadata").path("name").asText(),
                            doc);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return all;
    }

    private JobConfig settings() throws IOException {
        Path file = tmp.resolve("varflow.yaml");
        Files.writeString(
                file,
                byKindAndName
                        .get("ConfigMap/varflow-settings")
                        .path("data")
                        .path("varflow.yaml")
                        .asText());
        return JobConfig.builder().file(file).build();
    }

    private JsonNode mainContainer(JsonNode podTemplate) {
        for (JsonNode container : podTemplate.path("spec").path("containers")) {
            if (container.path("name").asText().equals(MAIN_CONTAINER)) {
                return container;
            }
        }
        throw new AssertionError("no " + MAIN_CONTAINER + " in " + podTemplate);
    }

    @Test
    void kustomizationAppliesEveryManifest() throws IOException {
        JsonNode kustomization = DeployFiles.yaml(DeployFiles.deploy("k8s/kustomization.yaml"));
        Set<String> listed = new HashSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.list(DeployFiles.deploy("k8s"))) {
            assertThat(listed)
                    .isEqualTo(
                            files.map(f -> f.getFileName().toString())
                                    .filter(
                                            n ->
                                                    n.endsWith(".yaml")
                                                            && !n.equals("kustomization.yaml"))
                                    .collect(Collectors.toSet()));
        }
        assertThat(byKindAndName)
                .containsKeys(
                        "FlinkDeployment/varflow",
                        "ConfigMap/varflow-settings",
                        "Secret/varflow-s3",
                        "Secret/varflow-kafka",
                        "PodMonitor/varflow");
    }

    @Test
    void isAFlinkDeploymentOfOurFlinkVersionRunningTheClusterEntryPointFromTheImage()
            throws Exception {
        assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        String[] version = EnvironmentInformation.getVersion().split("\\.");
        assertThat(spec.path("flinkVersion").asText())
                .isEqualTo("v" + version[0] + "_" + version[1]);
        JsonNode job = spec.path("job");
        String dockerfile = Files.readString(DeployFiles.deploy("Dockerfile"));
        String jar = job.path("jarURI").asText();
        assertThat(jar).startsWith("local://");
        assertThat(dockerfile).contains(" " + jar.substring("local://".length()));
        Method main =
                Class.forName(job.path("entryClass").asText()).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.path("state").asText()).isEqualTo("running");
    }

    @Test
    void oneGpuPerSlotAndParallelismIsTheNumberOfGpus() throws IOException {
        int slots = flinkConf.path("taskmanager.numberOfTaskSlots").asInt();
        int replicas = spec.path("taskManager").path("replicas").asInt();
        JsonNode resources =
                mainContainer(spec.path("taskManager").path("podTemplate")).path("resources");
        assertThat(resources.path("requests").path("nvidia.com/gpu").asInt()).isEqualTo(slots);
        assertThat(resources.path("limits").path("nvidia.com/gpu").asInt()).isEqualTo(slots);
        int gpus = replicas * slots;
        assertThat(spec.path("job").path("parallelism").asInt()).isEqualTo(gpus);
        assertThat(settings().get(JobOptions.JOB_PARALLELISM)).isEqualTo(gpus);
        assertThat(settings().get(JobOptions.MODEL_DEVICE)).isEqualTo(RuntimeOptions.Device.GPU);
        assertThat(resources.path("requests").has("nvidia.com/gpu")).isTrue();
        assertThat(
                        mainContainer(
                                        spec.path("jobManager").path("podTemplate").isMissingNode()
                                                ? spec.path("podTemplate")
                                                : spec.path("jobManager").path("podTemplate"))
                                .path("resources")
                                .path("limits")
                                .has("nvidia.com/gpu"))
                .as("the JobManager needs no GPU")
                .isFalse();
    }

    @Test
    void checkpointsSavepointsAndHaLiveOnS3AndTheJobUsesTheSameCheckpointDirectory()
            throws IOException {
        assertThat(flinkConf.path("execution.checkpointing.dir").asText()).startsWith("s3://");
        assertThat(flinkConf.path("execution.checkpointing.savepoint-dir").asText())
                .startsWith("s3://");
        assertThat(flinkConf.path("high-availability.storageDir").asText()).startsWith("s3://");
        JobConfig settings = settings();
        assertThat(settings.get(JobOptions.JOB_CHECKPOINT_DIR))
                .isEqualTo(flinkConf.path("execution.checkpointing.dir").asText());
        assertThat(settings.get(JobOptions.S3_ENDPOINT))
                .isEqualTo(flinkConf.path("s3.endpoint").asText());
        assertThat(flinkConf.path("env.java.opts.all").asText()).contains("-Dai.djl.offline=true");
    }

    @Test
    void prometheusReporterPortIsExposedAndScraped() {
        assertThat(flinkConf.path("metrics.reporter.prom.factory.class").asText())
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        int port = flinkConf.path("metrics.reporter.prom.port").asInt();
        JsonNode podTemplate = spec.path("podTemplate");
        List<JsonNode> ports = new ArrayList<>();
        mainContainer(podTemplate).path("ports").forEach(ports::add);
        JsonNode metrics =
                ports.stream()
                        .filter(p -> p.path("name").asText().equals("metrics"))
                        .findFirst()
                        .orElseThrow();
        assertThat(metrics.path("containerPort").asInt()).isEqualTo(port);
        JsonNode monitor = byKindAndName.get("PodMonitor/varflow").path("spec");
        assertThat(monitor.path("podMetricsEndpoints").get(0).path("port").asText())
                .isEqualTo("metrics");
        monitor.path("selector")
                .path("matchLabels")
                .fields()
                .forEachRemaining(
                        label ->
                                assertThat(
                                                podTemplate
                                                        .path("metadata")
                                                        .path("labels")
                                                        .path(label.getKey())
                                                        .asText())
                                        .isEqualTo(label.getValue().asText()));
    }

    @Test
    void everySecretConfigMapAndSettingReferredToExists() throws IOException {
        JsonNode podTemplate = spec.path("podTemplate");
        JsonNode container = mainContainer(podTemplate);
        Set<String> declared =
                JobOptions.all().values().stream()
                        .map(Setting::environmentVariable)
                        .collect(Collectors.toSet());
        Map<String, String> env = new HashMap<>();
        for (JsonNode var : container.path("env")) {
            String name = var.path("name").asText();
            if (name.startsWith("VARFLOW_")) {
                assertThat(declared).as(name).contains(name);
            }
            JsonNode ref = var.path("valueFrom").path("secretKeyRef");
            if (!ref.isMissingNode()) {
                assertSecretKey(ref.path("name").asText(), ref.path("key").asText());
                env.put(name, "from-secret");
            }
        }
        assertThat(env)
                .as("credentials come from Secrets")
                .containsKeys(
                        JobOptions.S3_ACCESS_KEY.environmentVariable(),
                        JobOptions.S3_SECRET_KEY.environmentVariable(),
                        JobOptions.KAFKA_SASL_PASSWORD.environmentVariable(),
                        "AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY");

        Map<String, JsonNode> volumes = new HashMap<>();
        podTemplate
                .path("spec")
                .path("volumes")
                .forEach(v -> volumes.put(v.path("name").asText(), v));
        Map<String, String> mounts = new HashMap<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            JsonNode volume = volumes.get(mount.path("name").asText());
            assertThat(volume).as("volume %s", mount.path("name").asText()).isNotNull();
            if (volume.has("configMap")) {
                assertThat(byKindAndName)
                        .containsKey("ConfigMap/" + volume.path("configMap").path("name").asText());
            }
            if (volume.has("secret")) {
                for (JsonNode item : volume.path("secret").path("items")) {
                    assertSecretKey(
                            volume.path("secret").path("secretName").asText(),
                            item.path("key").asText());
                    mounts.put(
                            volume.path("name").asText(),
                            mount.path("mountPath").asText() + "/" + item.path("path").asText());
                }
            } else {
                mounts.put(volume.path("name").asText(), mount.path("mountPath").asText());
            }
        }
        List<String> args = new ArrayList<>();
        spec.path("job").path("args").forEach(a -> args.add(a.asText()));
        String settingsFile = args.get(args.indexOf("--settings") + 1);
        assertThat(settingsFile).isEqualTo(mounts.get("varflow-settings") + "/varflow.yaml");
        JobConfig settings = settings();
        assertThat(settings.get(JobOptions.KAFKA_SSL_TRUSTSTORE_LOCATION))
                .isEqualTo(mounts.get("kafka-truststore"));
        assertThat(settings.get(JobOptions.KAFKA_SECURITY_PROTOCOL)).isEqualTo("SASL_SSL");
        assertThat(settings.get(JobOptions.S3_ENDPOINT)).startsWith("https://");
        assertThat(settings.find(JobOptions.S3_SECRET_KEY))
                .as("no secrets in the ConfigMap")
                .isEmpty();
        assertThat(settings.find(JobOptions.KAFKA_SASL_PASSWORD)).isEmpty();
    }

    @Test
    void composeAndKubernetesRunTheSameImageAndAgreeOnFlinkSettings() throws IOException {
        JsonNode services = DeployFiles.yaml(DeployFiles.deploy("compose.yaml")).path("services");
        String composeImage = services.path("jobmanager").path("image").asText();
        String k8sImage = spec.path("image").asText();
        assertThat(k8sImage.substring(k8sImage.lastIndexOf('/') + 1))
                .as("same image name and tag")
                .isEqualTo(composeImage);
        Map<String, String> composeFlink =
                DeployFiles.flinkProperties(services.path("taskmanager"));
        for (String key :
                List.of(
                        "metrics.reporter.prom.factory.class",
                        "metrics.reporter.prom.port",
                        "env.java.opts.all",
                        "taskmanager.numberOfTaskSlots",
                        "s3.path.style.access")) {
            assertThat(flinkConf.path(key).asText()).as(key).isEqualTo(composeFlink.get(key));
        }
        String composeEntry = services.path("jobmanager").path("command").get(2).asText();
        assertThat(spec.path("job").path("entryClass").asText()).isEqualTo(composeEntry);
    }

    private void assertSecretKey(String secretName, String key) {
        JsonNode secret = byKindAndName.get("Secret/" + secretName);
        assertThat(secret).as("Secret %s", secretName).isNotNull();
        assertThat(secret.path("stringData").has(key) || secret.path("data").has(key))
                .as("Secret %s has key %s", secretName, key)
                .isTrue();
    }
}
