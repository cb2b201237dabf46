package io.varflow.pipeline.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The static results page ({@code index.html}): a header with the run's facts and throughput, then
 * every request with its status, images, label names, seeds, settings, scale strips and edit
 * sheets. Plain HTML with inline CSS and no script, so it opens from disk in any browser.
 *
 * @param title the page's heading
 * @param facts what ran where (model, work folder, summary), label to value, in order
 * @param throughput figures of the run, label to value, in order
 * @param requests every submitted message
 */
public record ResultsPage(
        String title,
        Map<String, String> facts,
        Map<String, String> throughput,
        List<PageRequest> requests) {

    public static final String FILE_NAME = "index.html";

    private static final String STYLE =
            """
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
            h1{font-size:1.4em} h2{font-size:1.1em;margin:.6em 0 .2em}
            table.facts td{padding:.1em .8em .1em 0;vertical-align:top}
            section.request{border:1px solid #ccc;border-radius:6px;padding:.8em;margin:1em 0}
            .status{font-weight:bold;padding:.1em .5em;border-radius:4px}
            .succeeded{background:#d9f2d9} .failed,.dead-lettered{background:#f8d7d7} .no-outcome{background:#eee}
            pre{background:#f6f6f6;padding:.4em;white-space:pre-wrap;word-break:break-all;font-size:.85em}
            figure{display:inline-block;margin:.4em .8em .4em 0;vertical-align:top}
            figcaption{font-size:.85em;color:#444;max-width:40em}
            img{image-rendering:pixelated;border:1px solid #ddd}
            .image{margin:.6em 0;padding-top:.4em;border-top:1px dashed #ddd}
            .note{color:#a33;font-size:.9em}
            """;

    /** The page as HTML: every string from requests, settings or files is escaped. */
    public String html() {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(Html.escape(title))
                .append("</title>\n<style>")
                .append(STYLE)
                .append("</style></head>\n<body>\n");
        h.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        table(h, "facts", facts);
        if (!throughput.isEmpty()) {
            h.append("<h2>Throughput</h2>\n");
            table(h, "throughput", throughput);
        }
        for (PageRequest request : requests) {
            request(h, request);
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /**
     * Writes {@link #FILE_NAME} into {@code dir} (which holds the pictures the page links to) and
     * returns it.
     */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        Files.writeString(file, html(), StandardCharsets.UTF_8);
        return file;
    }

    private static void table(StringBuilder h, String cssClass, Map<String, String> rows) {
        h.append("<table class=\"").append(cssClass).append("\">\n");
        rows.forEach(
                (k, v) ->
                        h.append("<tr><td>")
                                .append(Html.escape(k))
                                .append("</td><td>")
                                .append(Html.escape(v))
                                .append("</td></tr>\n"));
        h.append("</table>\n");
    }

    private static void request(StringBuilder h, PageRequest r) {
        h.append("<section class=\"request\" data-request=\"")
                .append(Html.escape(r.title()))
                .append("\">\n<h2>")
                .append(Html.escape(r.title()))
                .append(" <span class=\"status ")
                .append(Html.escape(r.status().replace(' ', '-')))
                .append("\">")
                .append(Html.escape(r.status()))
                .append("</span></h2>\n");
        if (r.detail() != null) {
            h.append("<p class=\"note\">").append(Html.escape(r.detail())).append("</p>\n");
        }
        if (!r.timing().isEmpty()) {
            h.append("<p>").append(Html.escape(r.timing())).append("</p>\n");
        }
        if (r.message() != null) {
            h.append("<pre>").append(Html.escape(r.message())).append("</pre>\n");
        }
        for (PageImage image : r.images()) {
            image(h, image);
        }
        h.append("</section>\n");
    }

    private static void image(StringBuilder h, PageImage i) {
        h.append("<div class=\"image\">\n<p>#")
                .append(i.index())
                .append(": <b>")
                .append(Html.escape(i.labelName()))
                .append("</b> (label ")
                .append(i.label())
                .append("), seed ")
                .append(i.seed());
        if (!i.settings().isEmpty()) {
            h.append(", ").append(Html.escape(i.settings()));
        }
        h.append("</p>\n");
        if (i.note() != null) {
            h.append("<p class=\"note\">").append(Html.escape(i.note())).append("</p>\n");
        }
        // An edit's panels show the image itself between the mask and the difference.
        if (i.image() != null && i.edit().isEmpty()) {
            figure(h, i.image(), "image", Html.escape(i.labelName()) + " #" + i.index());
        }
        for (PageImage.Panel panel : i.edit()) {
            figure(h, panel.image(), panel.caption(), Html.escape(panel.caption()));
        }
        if (i.strip() != null) {
            figure(h, i.strip().image(), "coarse-to-fine strip", Html.escape(i.strip().caption()));
        }
        h.append("</div>\n");
    }

    private static void figure(StringBuilder h, String href, String alt, String captionHtml) {
        h.append("<figure><img src=\"")
                .append(Html.escape(href))
                .append("\" alt=\"")
                .append(Html.escape(alt))
                .append("\"><figcaption>")
                .append(captionHtml)
                .append("</figcaption></figure>\n");
    }
}
