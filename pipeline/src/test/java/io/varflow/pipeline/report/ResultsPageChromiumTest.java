package io.varflow.pipeline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.pipeline.cli.VarflowCli;
import io.varflow.pipeline.client.RunSummary;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.embedded.EmbeddedRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results page of a run, built from real images and token maps of the bundled tiny model, as a
 * browser shows it: opened in headless Chromium (skipped where Chromium is not installed).
 */
class ResultsPageChromiumTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE = "<img src=x onerror=alert(1)>";

    @TempDir Path tmp;

    private Path workDir;
    private Path page;
    private String html;

    @BeforeEach
    void writePage() throws Exception {
        Path samples = tmp.resolve("samples");
        StringWriter err = new StringWriter();
        int exit =
                VarflowCli.commandLine()
                        .setErr(new PrintWriter(err, true))
                        .setOut(new PrintWriter(new StringWriter()))
                        .execute(
                                "sample",
                                "--model-name",
                                "tiny",
                                "--classes",
                                "4,9",
                                "--seed",
                                "3",
                                "--out",
                                samples.toString());
        assertThat(exit).as(err.toString()).isZero();
        workDir = tmp.resolve("work");
        Path bucketDir = workDir.resolve("s3/varflow");
        Path requestDir = Files.createDirectories(bucketDir.resolve("req-1"));
        for (int i = 0; i < 2; i++) {
            Files.copy(
                    samples.resolve("image_00" + i + ".png"),
                    requestDir.resolve("000" + i + ".png"));
            Files.copy(
                    samples.resolve("image_00" + i + ".tokens.safetensors"),
                    requestDir.resolve("000" + i + ".tokens.safetensors"));
        }
        List<String> messages =
                List.of(
                        "{\"requestId\":\"req-1\",\"labels\":[4,9],\"seed\":3}",
                        "{\"requestId\":\"" + HOSTILE + "\",\"classLabel\":1,\"count\":1}");
        JsonNode event =
                JSON.readTree(
                        """
                {"requestId":"req-1","status":"succeeded","model":"tiny","images":[
                 {"index":0,"label":4,"seed":11,"imageUri":"s3://varflow/req-1/0000.png",
                  "tokenMapUri":"s3://varflow/req-1/0000.tokens.safetensors"},
                 {"index":1,"label":9,"seed":12,"imageUri":"s3://varflow/req-1/0001.png",
                  "tokenMapUri":"s3://varflow/req-1/0001.tokens.safetensors"}],
                 "timings":{"receivedAt":1000,"completedAt":3000,"totalMs":2000,"maxQueueWaitMs":5,"sampleMs":900,
                  "storeMs":40}}""");
        JsonNode dead =
                JSON.readTree(
                        "{\"errorCode\":\"SCHEMA_VIOLATION\",\"reason\":\"requestId "
                                + HOSTILE.replace("\"", "\\\"")
                                + " is not a safe name\"}");
        SubmittedRequest first = new SubmittedRequest(1, "req-1", "varflow.requests", 0, 0);
        SubmittedRequest second = new SubmittedRequest(2, HOSTILE, "varflow.requests", 0, 1);
        EmbeddedRun.Outcome outcome =
                new EmbeddedRun.Outcome(
                        new RunSummary(2, 1, 1, 2, 4),
                        List.of(first, second),
                        Map.of("req-1", List.of(event)),
                        Map.of(second.coordinates(), dead),
                        List.of());

        page =
                RunPages.write(
                        "test results",
                        JobConfig.builder().build(),
                        workDir,
                        bucketDir,
                        outcome,
                        messages,
                        Duration.ofSeconds(5));
        html = Files.readString(page);
    }

    @Test
    void pageNamesEveryRequestAndEscapesWhatUsersWrote() {
        assertThat(page).isEqualTo(workDir.resolve("index.html"));
        assertThat(html)
                .contains(
                        "req-1",
                        "succeeded",
                        "dead-lettered",
                        "SCHEMA_VIOLATION",
                        "seed 11",
                        "label 9",
                        "cfg 1.5",
                        "1×1, 2×2, 3×3, 4×4",
                        "images/s");
        assertThat(html).doesNotContain(HOSTILE).contains("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(workDir.resolve("page/r001-0000.png")).isRegularFile();
        assertThat(workDir.resolve("page/r001-0001-strip.png")).isRegularFile();
    }

    @Test
    void anEditShowsSourceMaskResultAndDifferenceInThatOrder() throws Exception {
        // An in-painting of image 0 whose result is image 1: its token map names the source and
        // the mask as ArtifactEncoder writes them (the tiny model's last scale is 4x4).
        Path bucketDir = workDir.resolve("s3/varflow");
        Path editDir = Files.createDirectories(bucketDir.resolve("edit-1"));
        Files.copy(bucketDir.resolve("req-1/0001.png"), editDir.resolve("0000.png"));
        TokenMap result = TokenMapFile.read(bucketDir.resolve("req-1/0001.tokens.safetensors"));
        Map<String, String> extra = new LinkedHashMap<>(result.extra());
        extra.put("edit_mode", "inpaint");
        extra.put("edit_source", "s3://varflow/req-1/0000.tokens.safetensors");
        extra.put("edit_mask", "0000/0110/0110/0000");
        TokenMapFile.write(
                new TokenMap(
                        result.model(),
                        result.patchNums(),
                        result.tokensPerScale(),
                        result.label(),
                        result.seed(),
                        result.sampling(),
                        extra),
                editDir.resolve("0000.tokens.safetensors"));
        JsonNode event =
                JSON.readTree(
                        """
                {"requestId":"edit-1","status":"succeeded","model":"tiny","images":[
                 {"index":0,"label":9,"seed":21,"imageUri":"s3://varflow/edit-1/0000.png",
                  "tokenMapUri":"s3://varflow/edit-1/0000.tokens.safetensors"}],
                 "timings":{"receivedAt":1000,"completedAt":2000,"totalMs":1000}}""");
        SubmittedRequest edit = new SubmittedRequest(1, "edit-1", "varflow.edits", 0, 0);
        Path editWork = tmp.resolve("edit-work");
        Path editPage =
                RunPages.write(
                        "edit results",
                        JobConfig.builder().build(),
                        editWork,
                        bucketDir,
                        new EmbeddedRun.Outcome(
                                new RunSummary(1, 1, 0, 1, 2),
                                List.of(edit),
                                Map.of("edit-1", List.of(event)),
                                Map.of(),
                                List.of()),
                        List.of("{\"requestId\":\"edit-1\",\"mode\":\"inpaint\"}"),
                        Duration.ofSeconds(1));
        String editHtml = Files.readString(editPage);

        int source = editHtml.indexOf("1. source (inpaint)");
        int mask = editHtml.indexOf("2. mask (white: regenerated)");
        int image = editHtml.indexOf("3. result: ");
        int difference = editHtml.indexOf("4. difference: |result − source| × 4");
        assertThat(source).isPositive();
        assertThat(mask).isGreaterThan(source);
        assertThat(image).isGreaterThan(mask);
        assertThat(difference).isGreaterThan(image);
        PngImages.Image picture = PngImages.decode(editWork.resolve("page/r001-0000.png"));
        PngImages.Image maskPicture = PngImages.decode(editWork.resolve("page/r001-0000-mask.png"));
        assertThat(maskPicture.height()).isEqualTo(picture.height());
        assertThat(maskPicture.width()).isEqualTo(picture.width());
        int plane = maskPicture.height() * maskPicture.width();
        int w = maskPicture.width();
        float[] chw = maskPicture.chw();
        assertThat(chw[0]).as("a corner is outside the mask: black").isEqualTo(0f);
        assertThat(chw[(plane / 2) + w / 2]).as("the middle is inside: white").isEqualTo(1f);
        assertThat(chw[2 * plane + (plane / 2) + w / 2]).isEqualTo(1f);
    }

    @Test
    void chromiumShowsEveryRequestAndEveryImageLoads() throws Exception {
        HeadlessChromium chromium = chromium();

        HeadlessChromium.Rendered rendered =
                chromium.render(page, 1000, 1400, Files.createDirectories(tmp.resolve("c")));

        assertThat(rendered.imagesChecked())
                .as("2 images and 2 strips, nothing injected")
                .isEqualTo(4);
        assertThat(rendered.brokenImages()).isEmpty();
        assertThat(rendered.requests()).hasSize(2).first().isEqualTo("req-1");
        assertThat(rendered.inkedFraction()).as("the page is not blank").isGreaterThan(0.05);
    }

    @Test
    void aMissingPictureShowsAsBroken() throws Exception {
        HeadlessChromium chromium = chromium();
        Files.delete(workDir.resolve("page/r001-0000-strip.png"));

        HeadlessChromium.Rendered rendered =
                chromium.render(page, 1000, 1400, Files.createDirectories(tmp.resolve("c")));

        assertThat(rendered.brokenImages()).containsExactly("page/r001-0000-strip.png");
    }

    private static HeadlessChromium chromium() {
        Optional<HeadlessChromium> chromium = HeadlessChromium.find();
        assumeTrue(
                chromium.isPresent(),
                "chromium is not installed (Debian: apt-get install chromium)");
        return chromium.get();
    }
}
