package io.varflow.operators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Priority;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestValidatorTest {

    private static final ModelCatalog CATALOG =
            ModelCatalog.of(
                    List.of(
                            ModelSpec.tiny(8),
                            new ModelSpec(
                                    "big",
                                    "d16",
                                    "/m/vae.pth",
                                    "/m/var.pth",
                                    1000,
                                    256,
                                    java.util.List.of(1, 2, 3, 4, 5, 6, 8, 10, 13, 16),
                                    4)));
    private static final RequestValidator VALIDATOR =
            new RequestValidator(CATALOG, new RequestLimits(1024, 100));

    private static Verdict<ValidRequest> validate(String json) {
        return VALIDATOR.validate(json.getBytes(StandardCharsets.UTF_8), "requests/0@1", 1000L);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("", ErrorCode.EMPTY_MESSAGE, "no content"),
                Arguments.of("  \n", ErrorCode.EMPTY_MESSAGE, "no content"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"pad\":\"" + "x".repeat(1100) + "\"}",
                        ErrorCode.MESSAGE_TOO_LARGE,
                        "limit is 1024"),
                Arguments.of("not json", ErrorCode.NOT_JSON, "not JSON"),
                Arguments.of("{\"requestId\":\"a\",", ErrorCode.NOT_JSON, "not JSON"),
                Arguments.of("[1,2]", ErrorCode.NOT_JSON, "expected a JSON object, got array"),
                Arguments.of("{\"requestId\":\"a\"} {}", ErrorCode.NOT_JSON, "not JSON"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"requestId\":\"b\",\"classLabel\":1,\"count\":1}",
                        ErrorCode.NOT_JSON,
                        "Duplicate field"),
                Arguments.of(
                        "{\"classLabel\":1,\"count\":1}", ErrorCode.SCHEMA_VIOLATION, "requestId"),
                Arguments.of(
                        "{\"requestId\":\"a\"}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "classLabel + count or labels"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "count"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":2,\"labels\":[1]}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "give either classLabel + count or labels, not both"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"count\":2,\"labels\":[1]}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "give either classLabel + count or labels, not both"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"count\":2}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "count needs classLabel"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":\"three\"}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "classLabel needs count (give either classLabel + count or labels); $.classLabel: string found"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":0}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "minimum"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":\"1\",\"count\":1}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "classLabel"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"cfg\":-1}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "cfg"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"topP\":1.5}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "topP"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"priority\":\"urgent\"}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "priority"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"outputs\":[\"video\"]}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "outputs"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"colour\":\"red\"}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "colour"),
                Arguments.of(
                        "{\"requestId\":\"../etc\",\"classLabel\":1,\"count\":1}",
                        ErrorCode.UNSAFE_REQUEST_ID,
                        "letters, digits"),
                Arguments.of(
                        "{\"requestId\":\"a..b\",\"classLabel\":1,\"count\":1}",
                        ErrorCode.UNSAFE_REQUEST_ID,
                        "'..'"),
                Arguments.of(
                        "{\"requestId\":\".hidden\",\"classLabel\":1,\"count\":1}",
                        ErrorCode.UNSAFE_REQUEST_ID,
                        "start with '.'"),
                Arguments.of(
                        "{\"requestId\":\"" + "r".repeat(129) + "\",\"classLabel\":1,\"count\":1}",
                        ErrorCode.UNSAFE_REQUEST_ID,
                        "limit is 128"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"outputPrefix\":\"x/../../y\"}",
                        ErrorCode.UNSAFE_OUTPUT_PREFIX,
                        "'..'"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"outputPrefix\":\"/abs\"}",
                        ErrorCode.UNSAFE_OUTPUT_PREFIX,
                        "start or end with '/'"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"outputPrefix\":\"a\\\\b\"}",
                        ErrorCode.UNSAFE_OUTPUT_PREFIX,
                        "letters, digits"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"model\":\"d99\"}",
                        ErrorCode.UNKNOWN_MODEL,
                        "'d99' is not served"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":10,\"count\":1}",
                        ErrorCode.LABEL_OUT_OF_RANGE,
                        "classes 0..9"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"labels\":[1,2,12]}",
                        ErrorCode.LABEL_OUT_OF_RANGE,
                        "labels[2] = 12"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":101}",
                        ErrorCode.TOO_MANY_IMAGES,
                        "limit of 100"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":100000000000000000000}",
                        ErrorCode.TOO_MANY_IMAGES,
                        "limit of 100"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"labels\":[" + "1,".repeat(101) + "1]}",
                        ErrorCode.TOO_MANY_IMAGES,
                        "limit is 100"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"deadline\":\"tomorrow\"}",
                        ErrorCode.INVALID_PARAMETER,
                        "not an RFC 3339 time"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"deadline\":\"2026-11-29T18:40:00\"}",
                        ErrorCode.INVALID_PARAMETER,
                        "not an RFC 3339 time with offset"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"timeBudgetMs\":0}",
                        ErrorCode.SCHEMA_VIOLATION,
                        "timeBudgetMs"),
                Arguments.of(
                        "{\"requestId\":\"a\",\"classLabel\":1,\"count\":1,\"timeBudgetMs\":5,"
                                + "\"deadline\":\"2026-11-29T18:40:00Z\"}",
                        ErrorCode.INVALID_PARAMETER,
                        "not both"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("refused")
    void refusesWithCodeAndReason(String json, ErrorCode code, String reasonPart) {
        Verdict<ValidRequest> verdict = validate(json);
        assertThat(verdict.isAccepted()).as("must be refused: %s", json).isFalse();
        assertThat(verdict.errorCode()).isEqualTo(code);
        assertThat(verdict.reason()).contains(reasonPart);
    }

    @Test
    void bothLabelFormsAreRefusedInOneSentenceNotASchemaDump() {
        Verdict verdict =
                validate("{\"requestId\":\"a\",\"classLabel\":1,\"count\":2,\"labels\":[1]}");
        assertThat(verdict.reason())
                .isEqualTo("give either classLabel + count or labels, not both");
        assertThat(verdict.requestId()).isEqualTo("a");
    }

    @Test
    void refusedUnsafeIdIsNotEchoedAsRequestId() {
        assertThat(validate("{\"requestId\":\"../x\",\"classLabel\":1,\"count\":1}").requestId())
                .isNull();
        assertThat(validate("{\"requestId\":\"ok-1\",\"classLabel\":99,\"count\":1}").requestId())
                .isEqualTo("ok-1");
    }

    @Test
    void aDeadlineIsAnAbsoluteTimeOrABudgetFromAcceptance() {
        assertThat(
                        validate(
                                        "{\"requestId\":\"r\",\"classLabel\":1,\"count\":1,\"timeBudgetMs\":250}")
                                .accepted()
                                .deadline())
                .isEqualTo(1250L);
        assertThat(
                        validate(
                                        "{\"requestId\":\"r\",\"classLabel\":1,\"count\":1,"
                                                + "\"deadline\":\"2026-11-29T19:40:00.5+01:00\"}")
                                .accepted()
                                .deadline())
                .isEqualTo(java.time.Instant.parse("2026-11-29T18:40:00.5Z").toEpochMilli());
        assertThat(
                        validate("{\"requestId\":\"r\",\"classLabel\":1,\"count\":1}")
                                .accepted()
                                .deadline())
                .isEqualTo(RequestDeadline.NONE);
    }

    @Test
    void acceptsMinimalRequestWithDefaults() {
        Verdict<ValidRequest> verdict =
                validate("{\"requestId\":\"req-1\",\"classLabel\":3,\"count\":2}");
        assertThat(verdict.isAccepted()).as(String.valueOf(verdict.reason())).isTrue();
        ValidRequest request = verdict.accepted();
        assertThat(request.model()).isEqualTo("tiny");
        assertThat(request.labels()).containsExactly(3, 3);
        assertThat(request.sampling().cfg()).isEqualTo(1.5);
        assertThat(request.sampling().topK()).isEqualTo(900);
        assertThat(request.sampling().topP()).isEqualTo(0.96);
        assertThat(request.priority()).isEqualTo(Priority.BULK);
        assertThat(request.storeImages()).isTrue();
        assertThat(request.storeTokenMaps()).isTrue();
        assertThat(request.outputPrefix()).isEmpty();
        assertThat(request.receivedAt()).isEqualTo(1000L);
        assertThat(request.source()).isEqualTo("requests/0@1");
        assertThat(request.seed())
                .as("a request without seed gets a stable seed derived from its id")
                .isEqualTo(
                        validate("{\"requestId\":\"req-1\",\"classLabel\":3,\"count\":2}")
                                .accepted()
                                .seed())
                .isNotEqualTo(
                        validate("{\"requestId\":\"req-2\",\"classLabel\":3,\"count\":2}")
                                .accepted()
                                .seed());
    }

    @Test
    void acceptsFullRequest() {
        Verdict<ValidRequest> verdict =
                validate(
                        "{\"requestId\":\"eval_7.b\",\"model\":\"big\",\"labels\":[999,0,5],\"seed\":-4,"
                                + "\"cfg\":4,\"topK\":1,\"topP\":0,\"smooth\":true,\"priority\":\"interactive\","
                                + "\"outputs\":[\"tokenMaps\"],\"outputPrefix\":\"fid/run-3\"}");
        assertThat(verdict.isAccepted()).as(String.valueOf(verdict.reason())).isTrue();
        ValidRequest request = verdict.accepted();
        assertThat(request.model()).isEqualTo("big");
        assertThat(request.labels()).containsExactly(999, 0, 5);
        assertThat(request.seed()).isEqualTo(-4L);
        assertThat(request.sampling().cfg()).isEqualTo(4.0);
        assertThat(request.sampling().topK()).isEqualTo(1);
        assertThat(request.sampling().smooth()).isTrue();
        assertThat(request.priority()).isEqualTo(Priority.INTERACTIVE);
        assertThat(request.storeImages()).isFalse();
        assertThat(request.storeTokenMaps()).isTrue();
        assertThat(request.outputPrefix()).isEqualTo("fid/run-3");
    }
}
