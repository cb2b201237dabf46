package io.varflow.operators.edit;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.model.config.ModelConfig;
import io.varflow.model.edit.EditMode;
import io.varflow.model.edit.EditRegion;
import io.varflow.model.edit.EditSource;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.validate.RequestDeadline;
import io.varflow.operators.validate.Verdict;
import java.io.Serializable;

/**
 * Decides whether a message on the edits topic is an edit the job can run, and resolves it, in
 * three steps: the message's own checks and defaults ({@link EditRequestParser}), fetching and
 * decoding its source and mask ({@link EditSourceLoader}), then what only the decoded objects can
 * tell: the label (a variation takes its token map's), tokens inside the model's vocabulary and a
 * mask that covers at least one token of the last scale. Each step refuses with an {@link
 * EditRefusal}; the first becomes the dead letter's code and reason.
 *
 * <p>Label default: the null class for in-/out-painting, the token map's label for a variation.
 * Serializable; it travels with {@link ResolveEditFunction}.
 */
public final class EditValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String SCHEMA = "schemas/edit-request.schema.json";

    /** What a pngBase64 source records as its origin. */
    public static final String INLINE = "inline";

    private final EditRequestParser parser;
    private final EditSourceLoader loader;

    public EditValidator(ModelCatalog catalog, EditLimits limits) {
        this.parser = new EditRequestParser(catalog, limits);
        this.loader = new EditSourceLoader(limits);
    }

    /**
     * Validates and resolves one message value.
     *
     * @param source Kafka coordinates, recorded on acceptance
     * @param now epoch ms recorded as the receive time
     * @param fetcher reads {@code s3://} sources and masks
     */
    public Verdict<AcceptedEdit> validate(
            byte[] value, String source, long now, SourceFetcher fetcher) {
        String requestId = null;
        try {
            JsonNode node = parser.read(value);
            requestId = EditRequestParser.safeRequestId(node);
            ParsedEdit parsed = parser.parse(node, requestId);
            return Verdict.accept(
                    resolve(parsed, source, now, fetcher, deadline(node, now)), requestId);
        } catch (EditRefusal r) {
            return Verdict.reject(r.code(), r.getMessage(), requestId);
        }
    }

    private static long deadline(JsonNode node, long now) throws EditRefusal {
        try {
            return RequestDeadline.of(node, now);
        } catch (IllegalArgumentException e) {
            throw new EditRefusal(ErrorCode.INVALID_PARAMETER, e.getMessage());
        }
    }

    private AcceptedEdit resolve(
            ParsedEdit edit, String coordinates, long now, SourceFetcher fetcher, long deadline)
            throws EditRefusal {
        ModelConfig config = edit.config();
        EditSourceLoader.LoadedSource source =
                loader.source(edit.source(), config, edit.model(), fetcher);
        int label = label(edit, source);
        boolean variation = edit.mode() == EditMode.VARIATION;
        EditRegion region = variation ? null : loader.region(edit.mask(), fetcher);
        checkVocabulary(source.source(), config);
        int p = config.finalPatch();
        boolean[] grid = new boolean[0];
        if (region != null) {
            grid = region.grid(p);
            checkCovers(region, grid, p);
        }
        EditWork work =
                new EditWork(
                        edit.mode().wireName(),
                        edit.keepScales(),
                        source.tokens(),
                        source.rgb(),
                        source.size(),
                        grid,
                        region == null ? 0 : p,
                        source.uri());
        return new AcceptedEdit(
                edit.requestId(),
                edit.model(),
                label,
                edit.count(),
                edit.seed(),
                edit.sampling(),
                edit.storeImages(),
                edit.storeTokenMaps(),
                edit.outputPrefix(),
                now,
                coordinates,
                work,
                deadline);
    }

    /** The label asked for; else a variation's source token map's; else the null class. */
    private static int label(ParsedEdit edit, EditSourceLoader.LoadedSource source)
            throws EditRefusal {
        int nullClass = edit.config().numClasses();
        if (edit.classLabel() != null) {
            return edit.classLabel();
        }
        if (edit.mode() != EditMode.VARIATION) {
            return nullClass;
        }
        Integer sourceLabel = source.label();
        if (sourceLabel == null) {
            throw new EditRefusal(
                    ErrorCode.INVALID_PARAMETER, "a variation of an image needs classLabel");
        }
        if (sourceLabel < 0 || sourceLabel > nullClass) {
            throw new EditRefusal(
                    ErrorCode.LABEL_OUT_OF_RANGE,
                    "the source token map's label "
                            + sourceLabel
                            + " is outside 0.."
                            + nullClass
                            + " of model '"
                            + edit.model()
                            + "'; give classLabel");
        }
        return sourceLabel;
    }

    /** A token source must hold only token ids of the model's vocabulary. */
    private static void checkVocabulary(EditSource source, ModelConfig config) throws EditRefusal {
        if (!(source instanceof EditSource.Tokens tokens)) {
            return;
        }
        int[][] maps = tokens.perScale();
        for (int si = 0; si < maps.length; si++) {
            for (int id : maps[si]) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new EditRefusal(
                            ErrorCode.UNREADABLE_SOURCE,
                            "source scale "
                                    + si
                                    + " holds token "
                                    + id
                                    + ", outside the vocabulary 0.."
                                    + (config.vocabSize() - 1));
                }
            }
        }
    }

    /** A region must cover at least one token of the last scale, or there is nothing to edit. */
    private static void checkCovers(EditRegion region, boolean[] grid, int p) throws EditRefusal {
        for (boolean cell : grid) {
            if (cell) {
                return;
            }
        }
        throw new EditRefusal(
                ErrorCode.INVALID_MASK,
                "the edit region "
                        + region
                        + " covers no token of the "
                        + p
                        + "x"
                        + p
                        + " last scale (empty mask)");
    }
}
