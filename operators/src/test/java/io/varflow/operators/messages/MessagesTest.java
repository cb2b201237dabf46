package io.varflow.operators.messages;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.validate.RequestSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void requestRoundTripsAndMatchesItsSchema() {
        GenerationRequest request =
                new GenerationRequest(
                        "r-1",
                        "tiny",
                        null,
                        null,
                        List.of(1, 2),
                        5L,
                        2.0,
                        10,
                        0.9,
                        true,
                        Priority.INTERACTIVE,
                        List.of(OutputKind.TOKEN_MAPS),
                        "a/b",
                        "2026-11-29T18:40:00Z",
                        null);
        String json = Messages.toJson(request);
        assertThat(json)
                .contains("\"priority\":\"interactive\"")
                .contains("\"outputs\":[\"tokenMaps\"]")
                .doesNotContain("classLabel");
        assertThat(Messages.read(json.getBytes(StandardCharsets.UTF_8), GenerationRequest.class))
                .isEqualTo(request);
        assertThat(RequestSchema.load(RequestSchema.REQUEST).problems(json)).isEmpty();
    }

    @Test
    void resultEventMatchesItsSchema() {
        ResultEvent ok =
                new ResultEvent(
                        "r-1",
                        ResultEvent.Status.SUCCEEDED,
                        "tiny",
                        List.of(
                                new ResultEvent.Image(
                                        0,
                                        3,
                                        -5,
                                        "s3://b/r-1/0000.png",
                                        "s3://b/r-1/0000.tokens.safetensors",
                                        null)),
                        new ResultEvent.Timings(1, 2, 1, 0, 5, 1),
                        null);
        String json = Messages.toJson(ok);
        assertThat(json).contains("\"status\":\"succeeded\"").doesNotContain("\"error\"");
        assertThat(RequestSchema.load(RequestSchema.RESULT).problems(json)).isEmpty();
        assertThat(Messages.read(json.getBytes(StandardCharsets.UTF_8), ResultEvent.class))
                .isEqualTo(ok);

        ResultEvent failed =
                new ResultEvent(
                        "r-2",
                        ResultEvent.Status.FAILED,
                        "tiny",
                        List.of(new ResultEvent.Image(0, 3, 1, null, null, "boom")),
                        new ResultEvent.Timings(1, 2, 1, 0, 5, 0),
                        new ResultEvent.Error(ErrorCode.GENERATION_FAILED, "1 of 1 images failed"));
        assertThat(RequestSchema.load(RequestSchema.RESULT).problems(Messages.toJson(failed)))
                .isEmpty();
    }

    @Test
    void deadLetterKeepsTheOriginalBytesAndMatchesItsSchema() {
        byte[] original = {'{', 0, (byte) 0xFF, '}'};
        DeadLetter letter =
                new DeadLetter(
                        ErrorCode.NOT_JSON,
                        "not JSON",
                        null,
                        new DeadLetter.Source("requests", 2, 17, 99L),
                        original,
                        1234);
        String json = Messages.toJson(letter);
        assertThat(RequestSchema.load(RequestSchema.DEAD_LETTER).problems(json)).isEmpty();
        DeadLetter back = Messages.read(json.getBytes(StandardCharsets.UTF_8), DeadLetter.class);
        assertThat(back).isEqualTo(letter);
        assertThat(back.original()).containsExactly(original);
    }

    @Test
    void aBoundedDeadLetterKeepsAPrefixButDescribesTheWholeValueAndMatchesItsSchema() {
        byte[] value = new byte[5000];
        java.util.Arrays.fill(value, (byte) 'x');
        io.varflow.operators.ingest.RawRecord record =
                new io.varflow.operators.ingest.RawRecord(
                        value, "requests", 1, 42, 7, "key-1".getBytes(StandardCharsets.UTF_8));
        DeadLetter whole =
                DeadLetters.of(record, ErrorCode.MESSAGE_TOO_LARGE, "r".repeat(300), null, 9);
        DeadLetter bounded = whole.bounded(100, 120);

        assertThat(bounded.original()).hasSize(100);
        assertThat(bounded.originalTruncated()).isTrue();
        assertThat(bounded.originalSize()).isEqualTo(5000);
        assertThat(bounded.originalSha256()).isEqualTo(whole.originalSha256()).hasSize(64);
        assertThat(bounded.reason()).hasSize(121).endsWith("…");
        assertThat(bounded.source())
                .isEqualTo(new DeadLetter.Source("requests", 1, 42, 7L, "key-1"));
        assertThat(whole.bounded(10_000, 1_000)).isSameAs(whole);
        String json = Messages.toJson(bounded.archivedAt("s3://b/dead-letters/requests/1-42"));
        assertThat(RequestSchema.load(RequestSchema.DEAD_LETTER).problems(json)).isEmpty();
        assertThat(json.length()).isLessThan(1000);
    }

    @Test
    void aResultEventOfManyImagesListsTheFirstAndNamesTheirFolder() {
        List<ResultEvent.Image> images = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            images.add(
                    new ResultEvent.Image(
                            i, 1, i, String.format("s3://b/p/r-1/%04d.png", i), null, null));
        }
        ResultEvent all =
                new ResultEvent(
                        "r-1",
                        ResultEvent.Status.SUCCEEDED,
                        "tiny",
                        images,
                        new ResultEvent.Timings(1, 2, 1, 0, 5, 0),
                        null);
        ResultEvent listed = all.listingAtMost(3);

        assertThat(listed.images()).extracting(ResultEvent.Image::index).containsExactly(0, 1, 2);
        assertThat(listed.imagesOmitted()).isEqualTo(7);
        assertThat(listed.objectsUri()).isEqualTo("s3://b/p/r-1/");
        assertThat(listed.listingAtMost(0).imagesOmitted()).isEqualTo(10);
        assertThat(all.listingAtMost(10)).isSameAs(all);
        assertThat(RequestSchema.load(RequestSchema.RESULT).problems(Messages.toJson(listed)))
                .isEmpty();
        assertThat(Messages.toJson(all))
                .doesNotContain("imagesOmitted")
                .doesNotContain("objectsUri");
    }

    @Test
    void schemasRejectWhatTheContractForbids() {
        assertThat(
                        RequestSchema.load(RequestSchema.RESULT)
                                .problems("{\"requestId\":\"x\",\"status\":\"maybe\"}"))
                .isNotEmpty();
        assertThat(
                        RequestSchema.load(RequestSchema.DEAD_LETTER)
                                .problems("{\"errorCode\":\"NOT_JSON\"}"))
                .isNotEmpty();
    }
}
