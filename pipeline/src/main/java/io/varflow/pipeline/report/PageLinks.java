package io.varflow.pipeline.report;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Prints where a written results page is: its path and a {@code file://} URL to open in a browser.
 */
public final class PageLinks {

    private PageLinks() {}

    public static void print(PrintWriter out, String command, Path page) {
        Path absolute = page.toAbsolutePath().normalize();
        out.printf("%s: results page %s%n", command, absolute);
        out.printf("%s: open %s%n", command, absolute.toUri());
        out.flush();
    }
}
