package io.varflow.pipeline.report;

import java.util.List;

/**
 * One image on the results page. Links are relative to the page's folder; null ones are left out.
 *
 * @param index the image's index in its request
 * @param label class label
 * @param labelName the label's name ({@code class N} for models without names)
 * @param seed the image's seed
 * @param settings how it was drawn, in words ({@code cfg 1.5, top-k 900, top-p 0.96}); may be empty
 * @param image link to the enlarged image, null when none was stored
 * @param strip its coarse-to-fine strip, null when there is no token map to draw it from
 * @param edit the edit panels (source, mask, result, difference), empty for plain generation
 * @param note why something is missing (an error, no token map); may be null
 */
public record PageImage(
        int index,
        int label,
        String labelName,
        long seed,
        String settings,
        String image,
        Panel strip,
        List<Panel> edit,
        String note) {

    /** A captioned picture of an edit sheet. */
    public record Panel(String caption, String image) {}

    public PageImage {
        edit = edit == null ? List.of() : List.copyOf(edit);
    }
}
