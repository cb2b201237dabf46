package io.varflow.pipeline.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.BundledModel;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.operators.store.EditMaskRows;
import io.varflow.pipeline.client.SubmittedRequest;
import io.varflow.pipeline.embedded.EmbeddedRun;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The results page of a run on the embedded stack ({@code demo}, {@code run --embedded}): reads
 * each stored image and token map from the local object store's folder, writes enlarged copies and
 * scale strips next to the page and describes every submitted message.
 */
public final class RunPageBuilder {

    /** Folder (inside the page's folder) that holds the page's pictures. */
    public static final String ASSETS = "page";

    private final Path pageDir;
    private final Path bucketDir;
    private final Function<String, ScaleStrips> strips;
    private final Function<String, List<String>> classNames;

    /**
     * @param pageDir where index.html and its pictures go
     * @param bucketDir the local folder of the object store's bucket
     * @param strips the strip renderer of a model, by model name (null when it cannot be drawn)
     * @param classNames class names of a model, by model name (empty when it has none)
     */
    public RunPageBuilder(
            Path pageDir,
            Path bucketDir,
            Function<String, ScaleStrips> strips,
            Function<String, List<String>> classNames) {
        this.pageDir = pageDir;
        this.bucketDir = bucketDir;
        this.strips = strips;
        this.classNames = classNames;
    }

    /**
     * The page of {@code outcome}; {@code messages} are the submitted lines, {@code wall} the run's
     * duration.
     */
    public ResultsPage build(
            String title,
            Map<String, String> facts,
            EmbeddedRun.Outcome outcome,
            List<String> messages,
            Duration wall)
            throws IOException {
        Files.createDirectories(pageDir.resolve(ASSETS));
        List<PageRequest> requests = new ArrayList<>();
        int ordinal = 0;
        for (SubmittedRequest s : outcome.submitted()) {
            ordinal++;
            String message = s.line() - 1 < messages.size() ? messages.get(s.line() - 1) : null;
            requests.add(request(ordinal, s, message, outcome));
        }
        Map<String, String> allFacts = new LinkedHashMap<>(facts);
        allFacts.put("Summary", outcome.summary().toJson());
        return new ResultsPage(title, allFacts, throughput(outcome, wall), requests);
    }

    private PageRequest request(
            int ordinal, SubmittedRequest s, String message, EmbeddedRun.Outcome outcome)
            throws IOException {
        String title = s.requestId() != null ? s.requestId() : "message " + s.line();
        JsonNode dead = outcome.deadLetters().get(s.coordinates());
        if (dead != null) {
            return new PageRequest(
                    title,
                    "dead-lettered",
                    dead.path("errorCode").asText() + ": " + dead.path("reason").asText(),
                    message,
                    "",
                    List.of());
        }
        List<JsonNode> events = s.requestId() == null ? null : outcome.results().get(s.requestId());
        if (events == null) {
            return new PageRequest(
                    title,
                    "no outcome",
                    "no result or dead letter arrived before the wait ended",
                    message,
                    "",
                    List.of());
        }
        JsonNode event = events.get(0);
        String status = event.path("status").asText();
        String detail =
                event.hasNonNull("error")
                        ? event.path("error").path("code").asText()
                                + ": "
                                + event.path("error").path("message").asText()
                        : null;
        JsonNode t = event.path("timings");
        String timing =
                String.format(
                        Locale.ROOT,
                        "model %s; %d ms from receipt to stored (longest batch wait %d ms,"
                                + " sampling %d ms, storing %d ms)",
                        event.path("model").asText(),
                        t.path("totalMs").asLong(),
                        t.path("maxQueueWaitMs").asLong(),
                        t.path("sampleMs").asLong(),
                        t.path("storeMs").asLong());
        List<PageImage> images = new ArrayList<>();
        for (JsonNode image : event.path("images")) {
            images.add(image(ordinal, event.path("model").asText(), image));
        }
        return new PageRequest(title, status, detail, message, timing, images);
    }

    private PageImage image(int ordinal, String model, JsonNode image) throws IOException {
        int index = image.path("index").asInt();
        int label = image.path("label").asInt();
        String stem = String.format(Locale.ROOT, "%s/r%03d-%04d", ASSETS, ordinal, index);
        String labelName = BundledModel.labelName(classNames.apply(model), label);
        List<String> notes = new ArrayList<>();
        if (image.hasNonNull("error")) {
            notes.add(image.path("error").asText());
        }
        PngImages.Image picture = readImage(image.path("imageUri").asText(null), notes);
        String imageHref =
                picture == null ? null : writePng(stem + ".png", PixelImages.readable(picture));
        TokenMap tokens = readTokens(image.path("tokenMapUri").asText(null), notes);
        String settings = "";
        PageImage.Panel strip = null;
        List<PageImage.Panel> edit = List.of();
        if (tokens != null) {
            settings = settings(tokens);
            ScaleStrips renderer = strips.apply(tokens.model());
            String mismatch =
                    renderer == null
                            ? "model " + tokens.model() + " is not available to draw the strip"
                            : renderer.mismatch(tokens);
            if (mismatch == null) {
                strip =
                        new PageImage.Panel(
                                stripCaption(tokens),
                                writePng(stem + "-strip.png", renderer.strip(tokens)));
            } else {
                notes.add(mismatch);
            }
            if (picture != null && tokens.extra().containsKey("edit_source")) {
                edit =
                        editPanels(
                                stem,
                                tokens,
                                picture,
                                imageHref,
                                labelName + " #" + index,
                                renderer,
                                notes);
            }
        }
        return new PageImage(
                index,
                label,
                labelName,
                image.path("seed").asLong(),
                settings,
                imageHref,
                strip,
                edit,
                notes.isEmpty() ? null : String.join("; ", notes));
    }

    /**
     * Source, mask (when the token map records one), result and |result − source| × 4, when the
     * source is an object of this run's store.
     */
    private List<PageImage.Panel> editPanels(
            String stem,
            TokenMap tokens,
            PngImages.Image result,
            String resultHref,
            String resultName,
            ScaleStrips renderer,
            List<String> notes)
            throws IOException {
        String source = tokens.extra().get("edit_source");
        PngImages.Image sourceImage = null;
        if (source.endsWith(".png")) {
            sourceImage = readImage(source, notes);
        } else if (renderer != null) {
            TokenMap sourceTokens = readTokens(source, notes);
            if (sourceTokens != null && renderer.mismatch(sourceTokens) == null) {
                List<PngImages.Image> scales = renderer.decodeScales(sourceTokens);
                sourceImage = scales.get(scales.size() - 1);
            }
        }
        if (sourceImage == null
                || sourceImage.height() != result.height()
                || sourceImage.width() != result.width()) {
            notes.add(
                    "edit source "
                            + source
                            + " is not shown (not in this run's store, or of another size)");
            return List.of();
        }
        String mode = tokens.extra().get("edit_mode");
        List<PageImage.Panel> panels = new ArrayList<>();
        panels.add(
                new PageImage.Panel(
                        "1. source (" + mode + ")",
                        writePng(stem + "-source.png", PixelImages.readable(sourceImage))));
        String mask = tokens.extra().get("edit_mask");
        if (mask != null) {
            try {
                PngImages.Image maskImage =
                        maskImage(EditMaskRows.parse(mask), result.height(), result.width());
                panels.add(
                        new PageImage.Panel(
                                "2. mask (white: "
                                        + ("outpaint".equals(mode) ? "kept" : "regenerated")
                                        + ")",
                                writePng(stem + "-mask.png", PixelImages.readable(maskImage))));
            } catch (IllegalArgumentException e) {
                notes.add(e.getMessage());
            }
        }
        panels.add(new PageImage.Panel("3. result: " + resultName, resultHref));
        PngImages.Image diff = PixelImages.difference(result, sourceImage);
        float[] amplified = diff.chw().clone();
        for (int i = 0; i < amplified.length; i++) {
            amplified[i] = Math.min(1f, 4 * amplified[i]);
        }
        panels.add(
                new PageImage.Panel(
                        "4. difference: |result − source| × 4",
                        writePng(
                                stem + "-diff.png",
                                PixelImages.readable(
                                        new PngImages.Image(
                                                amplified, diff.height(), diff.width())))));
        return panels;
    }

    /** The token grid's marks as a white-on-black picture of the result's size. */
    static PngImages.Image maskImage(boolean[][] grid, int height, int width) {
        int plane = height * width;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < height; y++) {
            boolean[] row = grid[y * grid.length / height];
            for (int x = 0; x < width; x++) {
                float v = row[x * row.length / width] ? 1f : 0f;
                for (int c = 0; c < 3; c++) {
                    chw[c * plane + y * width + x] = v;
                }
            }
        }
        return new PngImages.Image(chw, height, width);
    }

    /** Names the scales of the strip: what next-scale prediction had drawn after each step. */
    static String stripCaption(TokenMap tokens) {
        StringBuilder scales = new StringBuilder();
        for (int pn : tokens.patchNums()) {
            scales.append(scales.length() == 0 ? "" : ", ").append(pn).append('×').append(pn);
        }
        return "coarse to fine: the image decoded from the first 1, 2, … "
                + tokens.patchNums().size()
                + " scales of tokens ("
                + scales
                + ")";
    }

    private static String settings(TokenMap tokens) {
        if (tokens.sampling() == null) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "cfg %s, top-k %d, top-p %s%s",
                tokens.sampling().cfg(),
                tokens.sampling().topK(),
                tokens.sampling().topP(),
                tokens.sampling().smooth() ? ", smooth" : "");
    }

    private PngImages.Image readImage(String uri, List<String> notes) {
        Path file = localFile(uri);
        if (file == null) {
            return null;
        }
        try {
            return PngImages.decode(file);
        } catch (IOException e) {
            notes.add("cannot read " + uri + ": " + e.getMessage());
            return null;
        }
    }

    private TokenMap readTokens(String uri, List<String> notes) {
        Path file = localFile(uri);
        if (file == null) {
            return null;
        }
        try {
            return TokenMapFile.read(file);
        } catch (IOException e) {
            notes.add("cannot read " + uri + ": " + e.getMessage());
            return null;
        }
    }

    // s3://bucket/key to the bucket folder's file; null for no URI or a key that leaves the folder.
    private Path localFile(String uri) {
        if (uri == null) {
            return null;
        }
        String key = URI.create(uri).getPath();
        Path file = bucketDir.resolve(key.startsWith("/") ? key.substring(1) : key).normalize();
        return file.startsWith(bucketDir.normalize()) && Files.isRegularFile(file) ? file : null;
    }

    private String writePng(String relative, PngImages.Image image) throws IOException {
        Files.write(pageDir.resolve(relative), PixelImages.png(image));
        return relative;
    }

    static Map<String, String> throughput(EmbeddedRun.Outcome outcome, Duration wall) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long totalMs = 0;
        long sampleMs = 0;
        int requests = 0;
        int images = 0;
        for (List<JsonNode> events : outcome.results().values()) {
            JsonNode t = events.get(0).path("timings");
            first = Math.min(first, t.path("receivedAt").asLong());
            last = Math.max(last, t.path("completedAt").asLong());
            totalMs += t.path("totalMs").asLong();
            sampleMs += t.path("sampleMs").asLong();
            requests++;
            images += events.get(0).path("images").size();
        }
        Map<String, String> figures = new LinkedHashMap<>();
        figures.put(
                "Wall time of the run",
                String.format(
                        Locale.ROOT,
                        "%.1f s (start of the stack and job included)",
                        wall.toMillis() / 1000.0));
        if (requests == 0) {
            figures.put("Images", "none made");
            return figures;
        }
        double window = Math.max(1, last - first) / 1000.0;
        figures.put("Images made", images + " in " + requests + " request(s)");
        figures.put(
                "Throughput",
                String.format(
                        Locale.ROOT,
                        "%.2f images/s (first request read to last stored, %.1f s)",
                        images / window,
                        window));
        figures.put(
                "Request latency",
                String.format(
                        Locale.ROOT,
                        "%.0f ms on average, receipt to stored",
                        (double) totalMs / requests));
        figures.put(
                "Model time",
                String.format(
                        Locale.ROOT,
                        "%.0f ms per image on average",
                        (double) sampleMs / Math.max(1, images)));
        return figures;
    }
}
