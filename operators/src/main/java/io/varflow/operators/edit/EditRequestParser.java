package io.varflow.operators.edit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.SamplingParams;
import io.varflow.model.TaskSeeds;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.model.edit.EditMode;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Messages;
import io.varflow.operators.validate.Reasons;
import io.varflow.operators.validate.RequestSchema;
import io.varflow.operators.validate.SafeNames;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks of an edit message that need no object from the store, in order: size, JSON, safe
 * requestId and outputPrefix, the mode, the variant count, the JSON Schema ({@code
 * schemas/edit-request.schema.json}), the model, the label range, the sampling parameters, and
 * which of mask and keepScales the mode takes. Defaults: the job's default model, seed from the
 * requestId, sampling {@link io.varflow.model.SamplingParams#FID}, one variant, both outputs.
 *
 * <p>Serializable; schema and model configs are loaded lazily per JVM.
 */
final class EditRequestParser implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ModelCatalog catalog;
    private final EditLimits limits;
    private transient RequestSchema schema;
    private transient Map<String, ModelConfig> configs;

    EditRequestParser(ModelCatalog catalog, EditLimits limits) {
        this.catalog = catalog;
        this.limits = limits;
    }

    /** The message as a JSON object. */
    JsonNode read(byte[] value) throws EditRefusal {
        if (value.length > limits.maxMessageBytes()) {
            throw new EditRefusal(
                    ErrorCode.MESSAGE_TOO_LARGE,
                    "message is "
                            + value.length
                            + " bytes; the edit limit is "
                            + limits.maxMessageBytes()
                            + " (upload large sources and give source.uri)");
        }
        if (new String(value, StandardCharsets.UTF_8).isBlank()) {
            throw new EditRefusal(ErrorCode.EMPTY_MESSAGE, "message has no content");
        }
        JsonNode node;
        try {
            node = Messages.readTree(value);
        } catch (IOException e) {
            String message =
                    e instanceof JsonProcessingException j
                            ? j.getOriginalMessage()
                            : e.getMessage();
            throw new EditRefusal(ErrorCode.NOT_JSON, "not JSON: " + Reasons.firstLine(message));
        }
        if (!node.isObject()) {
            throw new EditRefusal(
                    ErrorCode.NOT_JSON, "expected a JSON object, got " + Reasons.kind(node));
        }
        return node;
    }

    /**
     * The message's requestId when it is a safe one; null when absent (the schema names that
     * problem).
     */
    static String safeRequestId(JsonNode node) throws EditRefusal {
        JsonNode id = node.get("requestId");
        if (id == null || !id.isTextual()) {
            return null;
        }
        String unsafe = SafeNames.checkRequestId(id.textValue());
        if (unsafe != null) {
            throw new EditRefusal(ErrorCode.UNSAFE_REQUEST_ID, unsafe);
        }
        return id.textValue();
    }

    /** Checks {@code node} (read by {@link #read}) and resolves its defaults. */
    ParsedEdit parse(JsonNode node, String requestId) throws EditRefusal {
        JsonNode prefixNode = node.get("outputPrefix");
        if (prefixNode != null && prefixNode.isTextual()) {
            String unsafe = SafeNames.checkOutputPrefix(prefixNode.textValue());
            if (unsafe != null) {
                throw new EditRefusal(ErrorCode.UNSAFE_OUTPUT_PREFIX, unsafe);
            }
        }
        EditMode mode = mode(node.get("mode"));
        JsonNode countNode = node.get("count");
        if (countNode != null
                && countNode.isIntegralNumber()
                && countNode.bigIntegerValue().compareTo(BigInteger.valueOf(limits.maxVariants()))
                        > 0) {
            throw new EditRefusal(
                    ErrorCode.TOO_MANY_IMAGES,
                    "count "
                            + countNode.asText()
                            + " exceeds the limit of "
                            + limits.maxVariants()
                            + " variants per edit");
        }
        List<String> problems = schema().problems(node);
        if (!problems.isEmpty()) {
            throw new EditRefusal(ErrorCode.SCHEMA_VIOLATION, RequestSchema.summarize(problems));
        }

        String modelName =
                node.hasNonNull("model") ? node.get("model").textValue() : catalog.defaultModel();
        Optional<ModelSpec> spec = catalog.find(modelName);
        if (spec.isEmpty()) {
            throw new EditRefusal(
                    ErrorCode.UNKNOWN_MODEL,
                    "model '"
                            + modelName
                            + "' is not served by this job; it serves "
                            + catalog.asMap().keySet().stream().sorted().toList());
        }
        ModelConfig config = configOf(spec.get());
        int nullClass = config.numClasses();
        Integer classLabel =
                node.hasNonNull("classLabel") ? node.get("classLabel").intValue() : null;
        if (classLabel != null && classLabel > nullClass) {
            throw new EditRefusal(
                    ErrorCode.LABEL_OUT_OF_RANGE,
                    "classLabel "
                            + classLabel
                            + " is out of range: model '"
                            + modelName
                            + "' has classes 0.."
                            + (nullClass - 1)
                            + " and the null class "
                            + nullClass);
        }
        if (mode == EditMode.CLASS_EDIT && classLabel == null) {
            throw new EditRefusal(ErrorCode.INVALID_PARAMETER, "class-edit needs classLabel");
        }
        SamplingParams sampling = sampling(node);
        JsonNode mask = node.get("mask");
        checkMaskOrScales(node, mode, mask);
        int keepScales = node.hasNonNull("keepScales") ? node.get("keepScales").intValue() : 0;
        if (keepScales > config.numScales()) {
            throw new EditRefusal(
                    ErrorCode.INVALID_PARAMETER,
                    "keepScales "
                            + keepScales
                            + " exceeds the "
                            + config.numScales()
                            + " scales of model '"
                            + modelName
                            + "'");
        }

        int count = node.hasNonNull("count") ? node.get("count").intValue() : 1;
        long seed =
                node.hasNonNull("seed")
                        ? node.get("seed").longValue()
                        : TaskSeeds.forRequestId(requestId);
        boolean images = true;
        boolean tokenMaps = true;
        if (node.hasNonNull("outputs")) {
            images = false;
            tokenMaps = false;
            for (JsonNode o : node.get("outputs")) {
                images |= "images".equals(o.textValue());
                tokenMaps |= "tokenMaps".equals(o.textValue());
            }
        }
        String prefix = prefixNode == null ? "" : prefixNode.textValue();
        return new ParsedEdit(
                requestId,
                modelName,
                config,
                mode,
                classLabel,
                sampling,
                keepScales,
                node.get("source"),
                mask,
                count,
                seed,
                images,
                tokenMaps,
                prefix);
    }

    private static EditMode mode(JsonNode modeNode) throws EditRefusal {
        if (modeNode == null || !modeNode.isTextual()) {
            return null; // the schema names the problem
        }
        try {
            return EditMode.parse(modeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new EditRefusal(ErrorCode.UNKNOWN_EDIT_MODE, e.getMessage());
        }
    }

    private static SamplingParams sampling(JsonNode node) throws EditRefusal {
        Double cfg = node.hasNonNull("cfg") ? node.get("cfg").doubleValue() : null;
        Integer topK = node.hasNonNull("topK") ? node.get("topK").intValue() : null;
        Double topP = node.hasNonNull("topP") ? node.get("topP").doubleValue() : null;
        Boolean smooth = node.hasNonNull("smooth") ? node.get("smooth").booleanValue() : null;
        try {
            return SamplingParams.fidWith(cfg, topK, topP, smooth);
        } catch (IllegalArgumentException e) {
            throw new EditRefusal(ErrorCode.INVALID_PARAMETER, e.getMessage());
        }
    }

    /**
     * A variation keeps whole scales and takes no mask; the other modes take a mask and no
     * keepScales.
     */
    private static void checkMaskOrScales(JsonNode node, EditMode mode, JsonNode mask)
            throws EditRefusal {
        if (mode == EditMode.VARIATION) {
            if (mask != null) {
                throw new EditRefusal(
                        ErrorCode.INVALID_MASK, "variation keeps whole scales and takes no mask");
            }
            if (!node.hasNonNull("keepScales")) {
                throw new EditRefusal(ErrorCode.INVALID_PARAMETER, "variation needs keepScales");
            }
            return;
        }
        if (mask == null) {
            throw new EditRefusal(
                    ErrorCode.INVALID_MASK,
                    mode.wireName() + " needs a mask (boxes, uri or pngBase64)");
        }
        if (node.has("keepScales")) {
            throw new EditRefusal(
                    ErrorCode.INVALID_PARAMETER, "keepScales applies to variation only");
        }
    }

    private ModelConfig configOf(ModelSpec spec) {
        if (configs == null) {
            configs = new HashMap<>();
        }
        return configs.computeIfAbsent(
                spec.name(),
                n ->
                        spec.isBundledTiny()
                                ? VarModel.tinyConfig()
                                : ModelConfigs.resolve(spec.configRef()));
    }

    private RequestSchema schema() {
        if (schema == null) {
            schema = RequestSchema.load(EditValidator.SCHEMA);
        }
        return schema;
    }
}
