package io.varflow.operators.edit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.SamplingParams;
import io.varflow.model.VarModel;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.config.ModelConfigs;
import io.varflow.model.edit.EditMode;
import io.varflow.model.edit.EditRegion;
import io.varflow.model.edit.EditSource;
import io.varflow.model.edit.EditSpec;
import io.varflow.model.io.PngImages;
import io.varflow.model.io.TokenMap;
import io.varflow.model.io.TokenMapFile;
import io.varflow.model.TaskSeeds;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Messages;
import io.varflow.operators.validate.RequestSchema;
import io.varflow.operators.validate.RequestValidator;
import io.varflow.operators.validate.SafeNames;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a message on the edits topic is an edit the job can run, and resolves it: checks
 * size, JSON, safe names, the mode, the variant count and the JSON Schema
 * ({@code schemas/edit-request.schema.json}), then the model, label and sampling parameters, then
 * fetches and decodes the source (a PNG of the model's resolution or a varflow token map of its
 * scales) and the mask, and checks that the mask is in range and covers at least one token. The
 * first failure becomes the dead letter's code and reason.
 *
 * <p>Defaults: the job's default model, seed from the requestId, cfg 1.5, topK 900, topP 0.96, one
 * variant, both outputs; label: the null class for in-/out-painting, the token map's label for a
 * variation. Serializable; schema and model configs are loaded lazily per JVM.
 */
public final class EditValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String SCHEMA = "schemas/edit-request.schema.json";
    /** What a pngBase64 source records as its origin. */
    public static final String INLINE = "inline";

    private final ModelCatalog catalog;
    private final EditLimits limits;
    private transient RequestSchema schema;
    private transient Map<String, ModelConfig> configs;

    public EditValidator(ModelCatalog catalog, EditLimits limits) {
        this.catalog = catalog;
        this.limits = limits;
    }

    /** A refusal with its dead-letter code. */
    private static final class Reject extends Exception {
        private static final long serialVersionUID = 1L;
        final ErrorCode code;

        Reject(ErrorCode code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }
    }

    /**
     * Validates and resolves one message value.
     *
     * @param source Kafka coordinates, recorded on acceptance
     * @param now epoch ms recorded as the receive time
     * @param fetcher reads {@code s3://} sources and masks
     */
    public EditVerdict validate(byte[] value, String source, long now, SourceFetcher fetcher) {
        String requestId = null;
        try {
            JsonNode node = parse(value);
            requestId = safeRequestId(node);
            return EditVerdict.accept(resolve(node, requestId, source, now, fetcher));
        } catch (Reject r) {
            return EditVerdict.reject(r.code, r.getMessage(), requestId);
        }
    }

    private JsonNode parse(byte[] value) throws Reject {
        if (value.length > limits.maxMessageBytes()) {
            throw new Reject(ErrorCode.MESSAGE_TOO_LARGE, "message is " + value.length + " bytes; the edit limit is "
                    + limits.maxMessageBytes() + " (upload large sources and give source.uri)");
        }
        if (new String(value, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new Reject(ErrorCode.EMPTY_MESSAGE, "message has no content");
        }
        JsonNode node;
        try {
            node = Messages.readTree(value);
        } catch (IOException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new Reject(ErrorCode.NOT_JSON, "not JSON: " + firstLine(message));
        }
        if (!node.isObject()) {
            throw new Reject(ErrorCode.NOT_JSON, "expected a JSON object, got "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return node;
    }

    private static String safeRequestId(JsonNode node) throws Reject {
        JsonNode id = node.get("requestId");
        if (id == null || !id.isTextual()) {
            return null; // the schema names the problem
        }
        String unsafe = SafeNames.checkRequestId(id.textValue());
        if (unsafe != null) {
            throw new Reject(ErrorCode.UNSAFE_REQUEST_ID, unsafe);
        }
        return id.textValue();
    }

    private AcceptedEdit resolve(JsonNode node, String requestId, String coordinates, long now, SourceFetcher fetcher)
            throws Reject {
        JsonNode prefixNode = node.get("outputPrefix");
        if (prefixNode != null && prefixNode.isTextual()) {
            String unsafe = SafeNames.checkOutputPrefix(prefixNode.textValue());
            if (unsafe != null) {
                throw new Reject(ErrorCode.UNSAFE_OUTPUT_PREFIX, unsafe);
            }
        }
        JsonNode modeNode = node.get("mode");
        EditMode mode = null;
        if (modeNode != null && modeNode.isTextual()) {
            try {
                mode = EditMode.parse(modeNode.textValue());
            } catch (IllegalArgumentException e) {
                throw new Reject(ErrorCode.UNKNOWN_EDIT_MODE, e.getMessage());
            }
        }
        JsonNode countNode = node.get("count");
        if (countNode != null && countNode.isIntegralNumber()
                && countNode.bigIntegerValue().compareTo(java.math.BigInteger.valueOf(limits.maxVariants())) > 0) {
            throw new Reject(ErrorCode.TOO_MANY_IMAGES, "count " + countNode.asText() + " exceeds the limit of "
                    + limits.maxVariants() + " variants per edit");
        }
        List<String> problems = schema().problems(node);
        if (!problems.isEmpty()) {
            throw new Reject(ErrorCode.SCHEMA_VIOLATION, RequestSchema.summarize(problems));
        }

        String modelName = node.hasNonNull("model") ? node.get("model").textValue() : catalog.defaultModel();
        Optional<ModelSpec> spec = catalog.find(modelName);
        if (spec.isEmpty()) {
            throw new Reject(ErrorCode.UNKNOWN_MODEL, "model '" + modelName + "' is not served by this job; it serves "
                    + catalog.asMap().keySet().stream().sorted().toList());
        }
        ModelConfig config = configOf(spec.get());
        int nullClass = config.numClasses();
        Integer classLabel = node.hasNonNull("classLabel") ? node.get("classLabel").intValue() : null;
        if (classLabel != null && classLabel > nullClass) {
            throw new Reject(ErrorCode.LABEL_OUT_OF_RANGE, "classLabel " + classLabel + " is out of range: model '"
                    + modelName + "' has classes 0.." + (nullClass - 1) + " and the null class " + nullClass);
        }
        if (mode == EditMode.CLASS_EDIT && classLabel == null) {
            throw new Reject(ErrorCode.INVALID_PARAMETER, "class-edit needs classLabel");
        }
        double cfg = node.hasNonNull("cfg") ? node.get("cfg").doubleValue() : RequestValidator.DEFAULT_CFG;
        int topK = node.hasNonNull("topK") ? node.get("topK").intValue() : RequestValidator.DEFAULT_TOP_K;
        double topP = node.hasNonNull("topP") ? node.get("topP").doubleValue() : RequestValidator.DEFAULT_TOP_P;
        boolean smooth = node.hasNonNull("smooth") && node.get("smooth").booleanValue();
        try {
            new SamplingParams(cfg, topK, topP, smooth);
        } catch (IllegalArgumentException e) {
            throw new Reject(ErrorCode.INVALID_PARAMETER, e.getMessage());
        }
        JsonNode mask = node.get("mask");
        if (mode == EditMode.VARIATION) {
            if (mask != null) {
                throw new Reject(ErrorCode.INVALID_MASK, "variation keeps whole scales and takes no mask");
            }
            if (!node.hasNonNull("keepScales")) {
                throw new Reject(ErrorCode.INVALID_PARAMETER, "variation needs keepScales");
            }
        } else {
            if (mask == null) {
                throw new Reject(ErrorCode.INVALID_MASK, mode.wireName() + " needs a mask (boxes, uri or pngBase64)");
            }
            if (node.has("keepScales")) {
                throw new Reject(ErrorCode.INVALID_PARAMETER, "keepScales applies to variation only");
            }
        }
        int keepScales = node.hasNonNull("keepScales") ? node.get("keepScales").intValue() : 0;
        if (keepScales > config.numScales()) {
            throw new Reject(ErrorCode.INVALID_PARAMETER, "keepScales " + keepScales + " exceeds the "
                    + config.numScales() + " scales of model '" + modelName + "'");
        }

        // The source: fetched, recognised by its content, checked against the model.
        JsonNode sourceNode = node.get("source");
        String sourceUri = sourceNode.hasNonNull("uri") ? sourceNode.get("uri").textValue() : INLINE;
        byte[] bytes = sourceNode.hasNonNull("uri")
                ? fetch(fetcher, sourceUri, "source")
                : inline(sourceNode.get("pngBase64").textValue(), "source.pngBase64");
        int[] tokens = new int[0];
        byte[] rgb = new byte[0];
        int size = 0;
        EditSource editSource;
        Integer sourceLabel = null;
        if (isPng(bytes) || INLINE.equals(sourceUri)) {
            PngImages.Image image = decodePng(bytes, "source " + sourceUri, ErrorCode.UNREADABLE_SOURCE);
            if (image.width() != config.imageSize() || image.height() != config.imageSize()) {
                throw new Reject(ErrorCode.WRONG_SOURCE_SIZE, "source " + sourceUri + " is " + image.width() + "x"
                        + image.height() + "; model '" + modelName + "' edits " + config.imageSize() + "x"
                        + config.imageSize() + " images");
            }
            size = config.imageSize();
            rgb = EditWork.rgbOf(image.chw(), size);
            editSource = new EditSource.Image(image.chw(), size);
        } else {
            TokenMap map;
            try {
                map = TokenMapFile.read(bytes, sourceUri);
            } catch (IOException | RuntimeException e) {
                throw new Reject(ErrorCode.UNREADABLE_SOURCE, "source " + sourceUri
                        + " is neither a PNG nor a varflow token map: " + firstLine(e.getMessage()));
            }
            if (!map.patchNums().equals(config.patchNums())) {
                throw new Reject(ErrorCode.WRONG_SOURCE_SIZE, "source " + sourceUri + " holds scales " + map.patchNums()
                        + "; model '" + modelName + "' has " + config.patchNums());
            }
            int[][] perScale = map.tokensPerScale();
            tokens = flatten(perScale);
            sourceLabel = map.label();
            editSource = new EditSource.Tokens(perScale);
        }

        int label;
        if (classLabel != null) {
            label = classLabel;
        } else if (mode == EditMode.VARIATION) {
            if (sourceLabel == null) {
                throw new Reject(ErrorCode.INVALID_PARAMETER, "a variation of an image needs classLabel");
            }
            if (sourceLabel < 0 || sourceLabel > nullClass) {
                throw new Reject(ErrorCode.LABEL_OUT_OF_RANGE, "the source token map's label " + sourceLabel
                        + " is outside 0.." + nullClass + " of model '" + modelName + "'; give classLabel");
            }
            label = sourceLabel;
        } else {
            label = nullClass;
        }

        boolean[] grid = new boolean[0];
        int p = config.finalPatch();
        EditRegion region = mode == EditMode.VARIATION ? null : region(mask, fetcher);
        EditSpec spec1 = mode == EditMode.VARIATION ? EditSpec.variation(editSource, keepScales)
                : new EditSpec(mode, editSource, region, 0);
        try {
            spec1.validate(config);
        } catch (IllegalArgumentException e) {
            ErrorCode code = e.getMessage().contains("empty mask") ? ErrorCode.INVALID_MASK
                    : e.getMessage().contains("outside the vocabulary") ? ErrorCode.UNREADABLE_SOURCE
                    : ErrorCode.WRONG_SOURCE_SIZE;
            throw new Reject(code, e.getMessage());
        }
        if (region != null) {
            grid = region.grid(p);
        }
        EditWork work = new EditWork(mode.wireName(), keepScales, config.patchNumsArray(), tokens, rgb, size, grid,
                region == null ? 0 : p, sourceUri);

        int count = node.hasNonNull("count") ? node.get("count").intValue() : 1;
        long seed = node.hasNonNull("seed") ? node.get("seed").longValue() : TaskSeeds.forRequestId(requestId);
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
        return new AcceptedEdit(requestId, modelName, label, count, seed, cfg, topK, topP, smooth, images, tokenMaps,
                prefix, now, coordinates, work);
    }

    private EditRegion region(JsonNode mask, SourceFetcher fetcher) throws Reject {
        if (mask.hasNonNull("boxes")) {
            List<EditRegion.Box> boxes = new ArrayList<>();
            int i = 0;
            for (JsonNode b : mask.get("boxes")) {
                try {
                    boxes.add(new EditRegion.Box(b.get(0).doubleValue(), b.get(1).doubleValue(), b.get(2).doubleValue(),
                            b.get(3).doubleValue()));
                } catch (IllegalArgumentException e) {
                    throw new Reject(ErrorCode.INVALID_MASK, "mask.boxes[" + i + "]: " + e.getMessage());
                }
                i++;
            }
            return EditRegion.boxes(boxes);
        }
        String where = mask.hasNonNull("uri") ? mask.get("uri").textValue() : "mask.pngBase64";
        byte[] bytes = mask.hasNonNull("uri") ? fetch(fetcher, where, "mask")
                : inline(mask.get("pngBase64").textValue(), "mask.pngBase64");
        PngImages.Image image = decodePng(bytes, "mask " + where, ErrorCode.INVALID_MASK);
        try {
            return EditRegion.maskFromImage(image.chw(), image.width(), image.height());
        } catch (IllegalArgumentException e) {
            throw new Reject(ErrorCode.INVALID_MASK, "mask " + where + ": " + e.getMessage());
        }
    }

    private byte[] fetch(SourceFetcher fetcher, String uri, String what) throws Reject {
        try {
            return fetcher.fetch(uri, limits.maxObjectBytes());
        } catch (SourceFetcher.NotFoundException e) {
            throw new Reject(ErrorCode.SOURCE_NOT_FOUND, what + " " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Reject(ErrorCode.INVALID_PARAMETER, what + " " + e.getMessage());
        } catch (IOException e) {
            throw new Reject(ErrorCode.UNREADABLE_SOURCE, what + ": " + firstLine(e.getMessage()));
        }
    }

    private byte[] inline(String base64, String field) throws Reject {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new Reject(ErrorCode.UNREADABLE_SOURCE, field + " is not base64: " + e.getMessage());
        }
        if (bytes.length > limits.maxInlineBytes()) {
            throw new Reject(ErrorCode.MESSAGE_TOO_LARGE, field + " decodes to " + bytes.length
                    + " bytes; the inline limit is " + limits.maxInlineBytes() + " (upload it and give a uri)");
        }
        return bytes;
    }

    private static PngImages.Image decodePng(byte[] bytes, String what, ErrorCode code) throws Reject {
        if (!isPng(bytes)) {
            throw new Reject(code, what + " is not a PNG");
        }
        try {
            return PngImages.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new Reject(code, what + " is not a readable PNG: " + firstLine(e.getMessage()));
        }
    }

    private static boolean isPng(byte[] bytes) {
        return bytes.length >= 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
    }

    private static int[] flatten(int[][] perScale) {
        int total = 0;
        for (int[] s : perScale) {
            total += s.length;
        }
        int[] flat = new int[total];
        int offset = 0;
        for (int[] s : perScale) {
            System.arraycopy(s, 0, flat, offset, s.length);
            offset += s.length;
        }
        return flat;
    }

    private ModelConfig configOf(ModelSpec spec) {
        if (configs == null) {
            configs = new HashMap<>();
        }
        return configs.computeIfAbsent(spec.name(), n -> spec.isBundledTiny()
                ? VarModel.tinyConfig() : ModelConfigs.resolve(spec.configRef()));
    }

    private RequestSchema schema() {
        if (schema == null) {
            schema = RequestSchema.load(SCHEMA);
        }
        return schema;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
