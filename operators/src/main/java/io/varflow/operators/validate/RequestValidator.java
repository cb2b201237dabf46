package io.varflow.operators.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.GenerationRequest;
import io.varflow.operators.messages.Messages;
import io.varflow.operators.messages.OutputKind;
import io.varflow.operators.messages.Priority;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a message value is a request the job can serve. Checks, in order: size, JSON,
 * safe requestId and outputPrefix, image count, the JSON Schema, the model, label ranges and
 * sampling parameters; the first failure wins and becomes the dead letter's code and reason.
 * Defaults are resolved on acceptance (model, seed, sampling {@link
 * io.varflow.model.SamplingParams#FID}, bulk, both outputs). Serializable; the schema is loaded
 * lazily per JVM. Not thread-safe only in that the lazy load may run twice.
 */
public final class RequestValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ModelCatalog catalog;
    private final RequestLimits limits;
    private transient RequestSchema schema;

    public RequestValidator(ModelCatalog catalog, RequestLimits limits) {
        this.catalog = catalog;
        this.limits = limits;
    }

    /**
     * Validates one message value.
     *
     * @param value the raw bytes
     * @param source origin for the accepted request (e.g. Kafka coordinates)
     * @param now epoch ms recorded as the request's receive time
     */
    public Verdict<ValidRequest> validate(byte[] value, String source, long now) {
        if (value.length > limits.maxMessageBytes()) {
            return Verdict.reject(
                    ErrorCode.MESSAGE_TOO_LARGE,
                    "message is "
                            + value.length
                            + " bytes; the limit is "
                            + limits.maxMessageBytes(),
                    null);
        }
        if (isBlank(value)) {
            return Verdict.reject(ErrorCode.EMPTY_MESSAGE, "message has no content", null);
        }
        JsonNode node;
        try {
            node = Messages.readTree(value);
        } catch (IOException e) {
            return Verdict.reject(
                    ErrorCode.NOT_JSON,
                    "not JSON: "
                            + Reasons.firstLine(
                                    e
                                                    instanceof
                                                    com.fasterxml.jackson.core
                                                                    .JsonProcessingException
                                                            j
                                            ? j.getOriginalMessage()
                                            : e.getMessage()),
                    null);
        }
        if (!node.isObject()) {
            return Verdict.reject(
                    ErrorCode.NOT_JSON, "expected a JSON object, got " + Reasons.kind(node), null);
        }
        return validateObject(node, source, now);
    }

    private Verdict<ValidRequest> validateObject(JsonNode node, String source, long now) {
        JsonNode idNode = node.get("requestId");
        String requestId = null;
        if (idNode != null && idNode.isTextual()) {
            String unsafe = SafeNames.checkRequestId(idNode.textValue());
            if (unsafe != null) {
                return Verdict.reject(ErrorCode.UNSAFE_REQUEST_ID, unsafe, null);
            }
            requestId = idNode.textValue();
        }
        JsonNode prefixNode = node.get("outputPrefix");
        if (prefixNode != null && prefixNode.isTextual()) {
            String unsafe = SafeNames.checkOutputPrefix(prefixNode.textValue());
            if (unsafe != null) {
                return Verdict.reject(ErrorCode.UNSAFE_OUTPUT_PREFIX, unsafe, requestId);
            }
        }
        Verdict<ValidRequest> tooMany = checkImageCount(node, requestId);
        if (tooMany != null) {
            return tooMany;
        }
        // The schema's oneOf is about the label form; LabelForm says what is wrong with it in
        // words.
        List<String> problems = new ArrayList<>();
        String labelForm = LabelForm.problem(node);
        if (labelForm != null) {
            problems.add(labelForm);
        }
        problems.addAll(schema().problemsOutside(node, "oneOf"));
        if (!problems.isEmpty()) {
            return Verdict.reject(
                    ErrorCode.SCHEMA_VIOLATION, RequestSchema.summarize(problems), requestId);
        }
        GenerationRequest request;
        try {
            request = Messages.toRequest(node);
        } catch (IOException e) {
            return Verdict.reject(
                    ErrorCode.SCHEMA_VIOLATION, Reasons.firstLine(e.getMessage()), requestId);
        }
        long deadline;
        try {
            deadline = RequestDeadline.of(node, now);
        } catch (IllegalArgumentException e) {
            return Verdict.reject(ErrorCode.INVALID_PARAMETER, e.getMessage(), requestId);
        }
        return validateRequest(request, source, now, deadline);
    }

    private Verdict<ValidRequest> checkImageCount(JsonNode node, String requestId) {
        JsonNode count = node.get("count");
        int max = limits.maxImagesPerRequest();
        if (count != null
                && count.isIntegralNumber()
                && count.bigIntegerValue().compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            return Verdict.reject(
                    ErrorCode.TOO_MANY_IMAGES,
                    "count "
                            + count.asText()
                            + " exceeds the limit of "
                            + max
                            + " images per request",
                    requestId);
        }
        JsonNode labels = node.get("labels");
        if (labels != null && labels.isArray() && labels.size() > max) {
            return Verdict.reject(
                    ErrorCode.TOO_MANY_IMAGES,
                    "labels has "
                            + labels.size()
                            + " entries; the limit is "
                            + max
                            + " images per request",
                    requestId);
        }
        return null;
    }

    private Verdict<ValidRequest> validateRequest(
            GenerationRequest request, String source, long now, long deadline) {
        String id = request.requestId();
        String modelName = request.model() == null ? catalog.defaultModel() : request.model();
        Optional<ModelSpec> model = catalog.find(modelName);
        if (model.isEmpty()) {
            return Verdict.reject(
                    ErrorCode.UNKNOWN_MODEL,
                    "model '"
                            + modelName
                            + "' is not served by this job; "
                            + "it serves "
                            + catalog.asMap().keySet().stream().sorted().toList(),
                    id);
        }
        int[] labels =
                request.labels() != null
                        ? request.labels().stream().mapToInt(Integer::intValue).toArray()
                        : filled(request.classLabel(), request.count());
        int classes = model.get().numClasses();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classes) {
                String where = request.labels() != null ? "labels[" + i + "] = " : "classLabel ";
                return Verdict.reject(
                        ErrorCode.LABEL_OUT_OF_RANGE,
                        where
                                + labels[i]
                                + " is out of range: model '"
                                + modelName
                                + "' has classes 0.."
                                + (classes - 1),
                        id);
            }
        }
        SamplingParams sampling;
        try {
            sampling =
                    SamplingParams.fidWith(
                            request.cfg(), request.topK(), request.topP(), request.smooth());
        } catch (IllegalArgumentException e) {
            return Verdict.reject(ErrorCode.INVALID_PARAMETER, e.getMessage(), id);
        }
        List<OutputKind> outputs =
                request.outputs() == null ? List.of(OutputKind.values()) : request.outputs();
        long seed = request.seed() == null ? TaskSeeds.forRequestId(id) : request.seed();
        Priority priority = request.priority() == null ? Priority.BULK : request.priority();
        String prefix = request.outputPrefix() == null ? "" : request.outputPrefix();
        return Verdict.accept(
                new ValidRequest(
                        id,
                        modelName,
                        labels,
                        seed,
                        sampling,
                        priority,
                        outputs.contains(OutputKind.IMAGES),
                        outputs.contains(OutputKind.TOKEN_MAPS),
                        prefix,
                        now,
                        source,
                        deadline),
                id);
    }

    private RequestSchema schema() {
        if (schema == null) {
            schema = RequestSchema.load(RequestSchema.REQUEST);
        }
        return schema;
    }

    private static int[] filled(int label, int count) {
        int[] labels = new int[count];
        java.util.Arrays.fill(labels, label);
        return labels;
    }

    private static boolean isBlank(byte[] value) {
        for (byte b : value) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
