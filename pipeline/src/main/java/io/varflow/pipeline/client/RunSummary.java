package io.varflow.pipeline.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last line {@code varflow run} prints: {@code
 * {"requests":N,"completed":N,"deadLettered":N,"images":N,"objects":N}}.
 *
 * @param requests messages submitted
 * @param completed requests with a {@code succeeded} ResultEvent
 * @param deadLettered messages refused onto the dead-letter topic
 * @param images images of the completed requests
 * @param objects stored objects (images and token maps) that the completed requests' events name
 *     and that the object store holds
 */
public record RunSummary(int requests, int completed, int deadLettered, int images, int objects) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every request completed or was dead-lettered. */
    public boolean allAccountedFor() {
        return completed + deadLettered == requests;
    }

    /** Object URIs ({@code s3://bucket/key}) named by the succeeded events. */
    public static List<String> objectUris(Iterable<JsonNode> succeededEvents) {
        List<String> uris = new ArrayList<>();
        for (JsonNode event : succeededEvents) {
            for (JsonNode image : event.path("images")) {
                for (String field : List.of("imageUri", "tokenMapUri")) {
                    if (image.hasNonNull(field)) {
                        uris.add(image.get(field).asText());
                    }
                }
            }
        }
        return uris;
    }

    public static boolean succeeded(JsonNode event) {
        return "succeeded".equals(event.path("status").asText());
    }

    public String toJson() {
        Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put("requests", requests);
        fields.put("completed", completed);
        fields.put("deadLettered", deadLettered);
        fields.put("images", images);
        fields.put("objects", objects);
        try {
            return JSON.writeValueAsString(fields);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
