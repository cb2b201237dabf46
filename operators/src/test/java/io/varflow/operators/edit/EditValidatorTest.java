package io.varflow.operators.edit;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.validate.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Edit validation and resolution against the tiny model. Objects are served by a map-backed {@link
 * SourceFetcher} (the real S3 fetch runs in the pipeline's edit ITCase).
 */
class EditValidatorTest {

    private static final int[] TINY_SCALES =
            io.varflow.model.VarModel.tinyConfig().patchNumsArray();

    private static final ModelCatalog CATALOG = ModelCatalog.of(List.of(ModelSpec.tiny(8)));
    private static final EditValidator VALIDATOR = new EditValidator(CATALOG, EditLimits.DEFAULTS);
    private static final Map<String, byte[]> OBJECTS = new HashMap<>();

    static {
        OBJECTS.put("s3://b/src.png", EditFixtures.gradientPng(64, 64));
        OBJECTS.put("s3://b/big.png", EditFixtures.gradientPng(100, 80));
        OBJECTS.put("s3://b/t.tokens.safetensors", EditFixtures.tinyTokenMap(3));
        OBJECTS.put("s3://b/other.tokens.safetensors", EditFixtures.otherScalesTokenMap());
        OBJECTS.put("s3://b/garbage.bin", "hello".getBytes(StandardCharsets.UTF_8));
        OBJECTS.put("s3://b/left.png", EditFixtures.leftHalfMask(32));
        OBJECTS.put("s3://b/black.png", EditFixtures.blackMask(32));
    }

    private static final SourceFetcher FETCHER =
            (uri, max) -> {
                if (!uri.startsWith("s3://b/")) {
                    throw new IllegalArgumentException(
                            "'" + uri + "' is outside the job's bucket 'b'");
                }
                byte[] bytes = OBJECTS.get(uri);
                if (bytes == null) {
                    throw new SourceFetcher.NotFoundException(uri + " does not exist");
                }
                return bytes;
            };

    private static Verdict<AcceptedEdit> validate(String json) {
        return VALIDATOR.validate(
                json.getBytes(StandardCharsets.UTF_8), "edits/0@1", 1000L, FETCHER);
    }

    static Stream<Arguments> refused() {
        String src = "\"source\":{\"uri\":\"s3://b/src.png\"}";
        String box = "\"mask\":{\"boxes\":[[0.25,0.25,0.75,0.75]]}";
        return Stream.of(
                Arguments.of("not json", ErrorCode.NOT_JSON, "not JSON"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"recolour\"," + src + "," + box + "}",
                        ErrorCode.UNKNOWN_EDIT_MODE,
                        "unknown edit mode 'recolour'"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\"," + box + "}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "source"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\",\"source\":{\"uri\":\"s3://b/missing.png\"},"
                                + box
                                + "}",
                        ErrorCode.SOURCE_NOT_FOUND,
                        "s3://b/missing.png does not exist"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\",\"source\":{\"uri\":\"s3://elsewhere/x.png\"},"
                                + box
                                + "}",
                        ErrorCode.INVALID_PARAMETER,
                        "outside the job's bucket"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\",\"source\":{\"uri\":\"s3://b/garbage.bin\"},"
                                + box
                                + "}",
                        ErrorCode.UNREADABLE_SOURCE,
                        "neither a PNG nor a varflow token map"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\",\"source\":{\"pngBase64\":\"%%%\"},"
                                + box
                                + "}",
                        ErrorCode.UNREADABLE_SOURCE,
                        "not base64"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\",\"source\":{\"uri\":\"s3://b/big.png\"},"
                                + box
                                + "}",
                        ErrorCode.WRONG_SOURCE_SIZE,
                        "is 100x80"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"variation\",\"keepScales\":1,"
                                + "\"source\":{\"uri\":\"s3://b/other.tokens.safetensors\"}}",
                        ErrorCode.WRONG_SOURCE_SIZE,
                        "holds scales [1, 2]"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\"," + src + "}",
                        ErrorCode.INVALID_MASK,
                        "inpaint needs a mask"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\","
                                + src
                                + ",\"mask\":{\"boxes\":[[0,0,1.5,1]]}}",
                        ErrorCode.INVALID_MASK,
                        "mask.boxes[0]"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\","
                                + src
                                + ",\"mask\":{\"boxes\":[[0.5,0,0.5,1]]}}",
                        ErrorCode.INVALID_MASK,
                        "empty"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\","
                                + src
                                + ",\"mask\":{\"boxes\":[[0,0,0.1,0.1]]}}",
                        ErrorCode.INVALID_MASK,
                        "empty mask"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\","
                                + src
                                + ",\"mask\":{\"uri\":\"s3://b/black.png\"}}",
                        ErrorCode.INVALID_MASK,
                        "empty mask"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"class-edit\"," + src + "," + box + "}",
                        ErrorCode.INVALID_PARAMETER,
                        "class-edit needs classLabel"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"class-edit\",\"classLabel\":11,"
                                + src
                                + ","
                                + box
                                + "}",
                        ErrorCode.LABEL_OUT_OF_RANGE,
                        "classLabel 11"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"variation\"," + src + ",\"keepScales\":2}",
                        ErrorCode.INVALID_PARAMETER,
                        "a variation of an image needs classLabel"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"variation\",\"source\":{\"uri\":\"s3://b/t.tokens.safetensors\"},"
                                + "\"keepScales\":5}",
                        ErrorCode.INVALID_PARAMETER,
                        "keepScales 5 exceeds the 4 scales"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"variation\",\"source\":{\"uri\":\"s3://b/t.tokens.safetensors\"},"
                                + box
                                + ",\"keepScales\":1}",
                        ErrorCode.INVALID_MASK,
                        "takes no mask"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\",\"model\":\"d30\","
                                + src
                                + ","
                                + box
                                + "}",
                        ErrorCode.UNKNOWN_MODEL,
                        "'d30'"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"mode\":\"inpaint\",\"count\":65,"
                                + src
                                + ","
                                + box
                                + "}",
                        ErrorCode.TOO_MANY_IMAGES,
                        "limit of 64"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusedEditsNameTheirReason(String json, ErrorCode code, String reason) {
        Verdict<AcceptedEdit> verdict = validate(json);
        assertThat(verdict.isAccepted()).as("accepted %s", json).isFalse();
        assertThat(verdict.errorCode()).as(verdict.reason()).isEqualTo(code);
        assertThat(verdict.reason()).contains(reason);
    }

    @Test
    void inpaintingAnInlinePngResolvesToAnImageSourceAndTheLastScaleGrid() {
        String png = Base64.getEncoder().encodeToString(EditFixtures.gradientPng(64, 64));
        Verdict<AcceptedEdit> verdict =
                validate(
                        "{\"requestId\":\"in-1\",\"mode\":\"inpaint\",\"source\":{\"pngBase64\":\""
                                + png
                                + "\"},\"mask\":{\"boxes\":[[0.25,0.25,0.75,0.75]]},\"count\":3,\"seed\":4}");
        assertThat(verdict.isAccepted()).as(verdict.reason()).isTrue();
        AcceptedEdit edit = verdict.accepted();
        assertThat(edit.label()).as("the null class").isEqualTo(10);
        assertThat(edit.count()).isEqualTo(3);
        assertThat(edit.edit().sourceUri()).isEqualTo(EditValidator.INLINE);
        assertThat(edit.edit().sourceRgb()).hasSize(3 * 64 * 64);
        assertThat(edit.edit().gridSize()).isEqualTo(4);
        assertThat(edit.edit().regionGrid())
                .containsExactly(
                        false, false, false, false, false, true, true, false, false, true, true,
                        false, false, false, false, false);
        // The rebuilt spec keeps the ring at the last scale.
        boolean[][] keep =
                edit.edit().toSpec(TINY_SCALES).keepMasks(io.varflow.model.VarModel.tinyConfig());
        assertThat(keep[3][0]).isTrue();
        assertThat(keep[3][5]).isFalse();
    }

    @Test
    void aVariationOfATokenMapTakesItsLabelAndTokens() {
        Verdict<AcceptedEdit> verdict =
                validate(
                        "{\"requestId\":\"v-1\",\"mode\":\"variation\",\"keepScales\":2,"
                                + "\"source\":{\"uri\":\"s3://b/t.tokens.safetensors\"},\"outputs\":[\"tokenMaps\"]}");
        assertThat(verdict.isAccepted()).as(verdict.reason()).isTrue();
        AcceptedEdit edit = verdict.accepted();
        assertThat(edit.label()).isEqualTo(3);
        assertThat(edit.storeImages()).isFalse();
        assertThat(edit.storeTokenMaps()).isTrue();
        var spec = edit.edit().toSpec(TINY_SCALES);
        assertThat(spec.keepScales()).isEqualTo(2);
        assertThat(((io.varflow.model.edit.EditSource.Tokens) spec.source()).perScale())
                .isDeepEqualTo(EditFixtures.tinyTokens());
    }

    @Test
    void anEditCarriesItsDeadlineAndRefusesTwo() {
        String edit =
                "{\"requestId\":\"v-2\",\"mode\":\"variation\",\"keepScales\":2,"
                        + "\"source\":{\"uri\":\"s3://b/t.tokens.safetensors\"}";
        Verdict<AcceptedEdit> budget = validate(edit + ",\"timeBudgetMs\":1500}");
        assertThat(budget.isAccepted()).as(budget.reason()).isTrue();
        assertThat(budget.accepted().deadline()).isEqualTo(budget.accepted().receivedAt() + 1500);
        assertThat(validate(edit + "}").accepted().deadline()).isEqualTo(Long.MAX_VALUE);
        Verdict<AcceptedEdit> both =
                validate(edit + ",\"timeBudgetMs\":1500,\"deadline\":\"2026-11-29T18:40:00Z\"}");
        assertThat(both.errorCode())
                .isEqualTo(io.varflow.operators.messages.ErrorCode.INVALID_PARAMETER);
        assertThat(both.reason()).contains("not both");
    }

    @Test
    void aMaskImageFromTheStoreBecomesTheRegion() {
        Verdict<AcceptedEdit> verdict =
                validate(
                        "{\"requestId\":\"c-1\",\"mode\":\"class-edit\",\"classLabel\":2,"
                                + "\"source\":{\"uri\":\"s3://b/src.png\"},\"mask\":{\"uri\":\"s3://b/left.png\"}}");
        assertThat(verdict.isAccepted()).as(verdict.reason()).isTrue();
        assertThat(verdict.accepted().label()).isEqualTo(2);
        assertThat(verdict.accepted().edit().regionGrid())
                .containsExactly(
                        true, true, false, false, true, true, false, false, true, true, false,
                        false, true, true, false, false);
    }
}
