package io.varflow.pipeline.report;

import java.util.List;

/**
 * One submitted message on the results page.
 *
 * @param title the request id, or {@code message N} (N-th submitted) when it had none
 * @param status {@code succeeded}, {@code failed}, {@code dead-lettered} or {@code no outcome}
 * @param detail the failure or dead-letter reason (with its code), null when it succeeded
 * @param message the message as submitted (shown verbatim, escaped)
 * @param timing latency figures in words, may be empty
 * @param images its images
 */
public record PageRequest(
        String title,
        String status,
        String detail,
        String message,
        String timing,
        List<PageImage> images) {

    public PageRequest {
        images = List.copyOf(images);
    }
}
