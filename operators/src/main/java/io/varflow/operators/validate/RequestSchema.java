package io.varflow.operators.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON Schemas of varflow's messages, loaded from the classpath ({@code schemas/*.json},
 * packaged from the repository's {@code schemas/} directory) and checked with networknt's
 * json-schema-validator. Instances are thread-safe.
 */
public final class RequestSchema {

    public static final String REQUEST = "schemas/generation-request.schema.json";
    public static final String RESULT = "schemas/result-event.schema.json";
    public static final String DEAD_LETTER = "schemas/dead-letter.schema.json";

    private static final int MAX_REPORTED = 3;

    private final JsonSchema schema;

    private RequestSchema(JsonSchema schema) {
        this.schema = schema;
    }

    /** Loads one of the schema resources above. */
    public static RequestSchema load(String resource) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        return new RequestSchema(factory.getSchema(SchemaLocation.of("classpath:" + resource)));
    }

    /** The problems of {@code node}, most specific first; empty when it is valid. */
    public List<String> problems(JsonNode node) {
        Set<ValidationMessage> messages = schema.validate(node);
        return messages.stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .collect(Collectors.toList());
    }

    /**
     * As {@link #problems(JsonNode)}, without those found under the schema's top-level {@code
     * keyword} (e.g. {@code oneOf}, whose failures list every branch's).
     */
    public List<String> problemsOutside(JsonNode node, String keyword) {
        String under = "$." + keyword;
        return schema.validate(node).stream()
                .filter(m -> !m.getEvaluationPath().toString().startsWith(under))
                .map(ValidationMessage::getMessage)
                .sorted()
                .collect(Collectors.toList());
    }

    /** Validates a JSON text (e.g. a produced message in a test). */
    public List<String> problems(String json) {
        return schema.validate(json, InputFormat.JSON).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .collect(Collectors.toList());
    }

    /** A one-line summary of at most three problems. */
    public static String summarize(List<String> problems) {
        String head = problems.stream().limit(MAX_REPORTED).collect(Collectors.joining("; "));
        return problems.size() > MAX_REPORTED
                ? head + "; and " + (problems.size() - MAX_REPORTED) + " more"
                : head;
    }
}
