package io.varflow.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.pipeline.cluster.ClusterJobMain;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;

/**
 * deploy/Dockerfile agrees with the build: Flink version, DJL's JNI flavour and version, the job
 * jar.
 */
class DockerfileTest {

    private final String dockerfile = read();
    private final Map<String, String> vars = DeployFiles.dockerfileVariables(dockerfile);

    private static String read() {
        try {
            return Files.readString(DeployFiles.deploy("Dockerfile"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void baseImageIsTheOfficialFlinkImageOfTheFlinkVersionWeBuildAgainstOnJava17() {
        assertThat(vars.get("FLINK_IMAGE"))
                .isEqualTo("flink:" + EnvironmentInformation.getVersion() + "-scala_2.12-java17");
        assertThat(dockerfile).contains("FROM ${FLINK_IMAGE}");
    }

    @Test
    void libtorchMatchesTheDjlJniOnTheClassPathAndItsFlavourIsOneTheJniShips() throws IOException {
        Properties jni = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/jnilib/pytorch.properties")) {
            assertThat(in).as("pytorch-jni on the class path").isNotNull();
            jni.load(in);
        }
        String libtorchVersion = jni.getProperty("jni_version").split("-")[0];
        assertThat(vars.get("PYTORCH_VERSION")).isEqualTo(libtorchVersion);
        String flavour = vars.get("PYTORCH_FLAVOR");
        assertThat(flavour).startsWith("cu");
        assertThat(getClass().getResource("/jnilib/linux-x86_64/" + flavour + "/libdjl_torch.so"))
                .as("DJL's JNI for %s", flavour)
                .isNotNull();
        assertThat(dockerfile).contains("https://publish.djl.ai/pytorch/${PYTORCH_VERSION}");
    }

    @Test
    void djlIsOfflineAndLoadsTheBakedInLibtorch() {
        assertThat(vars)
                .containsEntry("DJL_OFFLINE", "true")
                .containsEntry("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib");
        assertThat(vars).containsKeys("PYTORCH_VERSION", "PYTORCH_FLAVOR", "ENGINE_CACHE_DIR");
    }

    @Test
    void theJobJarComesFromTheJobJarProfileAndLandsInUsrlib() throws IOException {
        assertThat(dockerfile)
                .contains("-Pjob-jar")
                .contains("pipeline/target/varflow-job.jar /opt/flink/usrlib/varflow-job.jar");
        String pom = Files.readString(DeployFiles.repoRoot().resolve("pipeline/pom.xml"));
        assertThat(pom)
                .contains("<id>job-jar</id>")
                .contains("<outputFile>${project.build.directory}/varflow-job.jar</outputFile>")
                .contains("<mainClass>" + ClusterJobMain.class.getName() + "</mainClass>");
    }

    @Test
    void checkpointsOnS3NeedTheS3PluginAndMetricsThePrometheusReporter() {
        assertThat(dockerfile)
                .contains("/opt/flink/plugins/s3-fs-presto")
                .contains("plugins/metrics-prometheus");
    }
}
