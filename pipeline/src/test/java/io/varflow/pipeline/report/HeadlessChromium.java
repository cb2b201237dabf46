package io.varflow.pipeline.report;

import io.varflow.model.io.PngImages;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a results page in headless Chromium (Debian's {@code chromium}) the way a user's browser
 * would, from a {@code file://} URL: takes a screenshot and reads back, after the page has loaded,
 * which images failed to load and which requests the DOM shows.
 */
public final class HeadlessChromium {

    // Runs after load in a copy of the page: records every <img> that did not decode as a broken
    // one.
    private static final String CHECK_SCRIPT =
            "<script>window.addEventListener('load',function(){"
                    + "var imgs=Array.prototype.slice.call(document.images);"
                    + "document.body.setAttribute('data-images-checked',imgs.length);"
                    + "document.body.setAttribute('data-images-broken',imgs.filter(function(i){"
                    + "return !(i.complete&&i.naturalWidth>0);}).map(function(i){return i.getAttribute('src');}).join(' '));"
                    + "});</script>";
    private static final Pattern BODY =
            Pattern.compile(
                    "<body[^>]*data-images-checked=\"(\\d+)\"[^>]*data-images-broken=\"([^\"]*)\"");
    private static final Pattern REQUEST =
            Pattern.compile("<section class=\"request\" data-request=\"([^\"]*)\"");

    /**
     * What the browser made of the page.
     *
     * @param imagesChecked {@code <img>} elements on the page
     * @param brokenImages the {@code src} of each image that did not load
     * @param requests the {@code data-request} of each request section, in page order (as escaped
     *     in HTML)
     * @param screenshot the rendered page
     */
    public record Rendered(
            int imagesChecked,
            List<String> brokenImages,
            List<String> requests,
            PngImages.Image screenshot) {

        /** Share of screenshot pixels that are not (near) white: 0 for a blank page. */
        public double inkedFraction() {
            int plane = screenshot.height() * screenshot.width();
            int inked = 0;
            for (int i = 0; i < plane; i++) {
                float min =
                        Math.min(
                                screenshot.chw()[i],
                                Math.min(
                                        screenshot.chw()[plane + i],
                                        screenshot.chw()[2 * plane + i]));
                inked += min < 0.9f ? 1 : 0;
            }
            return (double) inked / plane;
        }
    }

    private final Path binary;

    private HeadlessChromium(Path binary) {
        this.binary = binary;
    }

    /** Chromium from the PATH ({@code chromium}, {@code chromium-browser}), if installed. */
    public static Optional<HeadlessChromium> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                    return Optional.of(new HeadlessChromium(candidate));
                }
            }
        }
        return Optional.empty();
    }

    /** Renders {@code page} (its pictures beside it), {@code width} x {@code height} CSS pixels. */
    public Rendered render(Path page, int width, int height, Path scratch)
            throws IOException, InterruptedException {
        String html = Files.readString(page, StandardCharsets.UTF_8);
        if (!html.contains("</body>")) {
            throw new IOException(page + " has no </body>");
        }
        // The copy sits beside the page so that its relative picture links resolve the same way.
        Path checked = page.resolveSibling("chromium-check-" + System.nanoTime() + ".html");
        Files.writeString(
                checked, html.replace("</body>", CHECK_SCRIPT + "</body>"), StandardCharsets.UTF_8);
        try {
            String dom =
                    run(
                            scratch,
                            "dom",
                            "--virtual-time-budget=10000",
                            "--dump-dom",
                            checked.toUri().toString());
            Matcher body = BODY.matcher(dom);
            if (!body.find()) {
                throw new IOException(
                        "the check script did not run; DOM starts "
                                + dom.substring(0, Math.min(300, dom.length())));
            }
            List<String> broken =
                    body.group(2).isBlank()
                            ? List.of()
                            : Arrays.asList(body.group(2).trim().split(" "));
            List<String> requests = new ArrayList<>();
            Matcher m = REQUEST.matcher(dom);
            while (m.find()) {
                requests.add(m.group(1));
            }
            Path shot = scratch.resolve("screenshot-" + System.nanoTime() + ".png");
            run(
                    scratch,
                    "shot",
                    "--hide-scrollbars",
                    "--window-size=" + width + "," + height,
                    "--screenshot=" + shot,
                    page.toUri().toString());
            return new Rendered(
                    Integer.parseInt(body.group(1)), broken, requests, PngImages.decode(shot));
        } finally {
            Files.deleteIfExists(checked);
        }
    }

    private String run(Path scratch, String name, String... args)
            throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                binary.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--user-data-dir=" + scratch.resolve("profile-" + name)));
        command.addAll(List.of(args));
        Path stdout = scratch.resolve(name + ".out");
        Path stderr = scratch.resolve(name + ".err");
        Process p =
                new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish in 120 s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException(
                    "chromium exited with " + p.exitValue() + ": " + Files.readString(stderr));
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
