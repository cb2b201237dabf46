package io.varflow.pipeline.client;

/**
 * Where one submitted message landed.
 *
 * @param line 1-based line number in the input (or position among the submitted messages)
 * @param requestId the message's {@code requestId} when it is a JSON object carrying a string one,
 *     else null
 * @param topic topic it was written to
 * @param partition partition it was written to
 * @param offset its offset: dead letters name the same coordinates
 */
public record SubmittedRequest(
        int line, String requestId, String topic, int partition, long offset) {

    /** {@code topic/partition@offset}, the form dead letters report. */
    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }
}
