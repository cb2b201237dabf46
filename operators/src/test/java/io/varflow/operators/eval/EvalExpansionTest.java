package io.varflow.operators.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.TaskSeeds;
import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.GenerationRequest;
import io.varflow.operators.messages.Messages;
import io.varflow.operators.validate.RequestLimits;
import io.varflow.operators.validate.RequestValidator;
import io.varflow.operators.validate.ValidRequest;
import io.varflow.operators.validate.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalExpansionTest {

    private final ModelCatalog catalog = ModelCatalog.of(List.of(ModelSpec.tiny(8)));
    private final EvalExpansion expansion = new EvalExpansion(catalog);
    private final RequestValidator validator =
            new RequestValidator(catalog, RequestLimits.DEFAULTS);

    @Test
    void oneValidGenerationRequestPerClassWithTheSetsSeedsAndPrefix() throws Exception {
        String json =
                "{\"evalId\":\"tiny-eval\",\"classes\":\"3,0-1\",\"perClass\":4,\"seedBase\":9,\"cfg\":2.0}";
        EvalExpansion.Expanded expanded = expansion.expand(Messages.readTree(bytes(json)));
        assertThat(expanded.accepted()).as(expanded.reason()).isTrue();
        EvalPlan plan = EvalPlan.of(Messages.mapper().readValue(json, EvalRequest.class), 10);

        List<GenerationRequest> requests = expanded.requests();
        assertThat(requests)
                .extracting(GenerationRequest::requestId)
                .containsExactly("tiny-eval-0000", "tiny-eval-0001", "tiny-eval-0003");
        for (GenerationRequest request : requests) {
            // Each one passes the job's own validator unchanged...
            Verdict<ValidRequest> verdict =
                    validator.validate(Messages.toBytes(request), "test", 0);
            assertThat(verdict.isAccepted()).as(verdict.reason()).isTrue();
            ValidRequest valid = verdict.accepted();
            assertThat(valid.labels()).hasSize(4).containsOnly(request.classLabel());
            assertThat(valid.sampling().cfg()).isEqualTo(2.0);
            assertThat(valid.sampling().topK()).isEqualTo(900);
            assertThat(valid.storeImages()).isTrue();
            assertThat(valid.storeTokenMaps()).isFalse();
            assertThat(valid.outputPrefix()).isEqualTo("evals/tiny-eval");
            // ...and the job's per-image seeds are the set's documented seeds.
            for (int i = 0; i < 4; i++) {
                assertThat(TaskSeeds.forImage(valid.seed(), i))
                        .isEqualTo(plan.seed(request.classLabel(), i));
            }
        }
    }

    @Test
    void refusesBadRequestsWithTheDeadLetterCodes() throws Exception {
        assertThat(refusal("{\"evalId\":\"e\"}")).isEqualTo(ErrorCode.SCHEMA_VIOLATION);
        assertThat(refusal("{\"evalId\":\"e\",\"perClass\":2,\"classes\":\"0-10\"}"))
                .isEqualTo(ErrorCode.LABEL_OUT_OF_RANGE);
        assertThat(refusal("{\"evalId\":\"e\",\"perClass\":2,\"model\":\"d16\"}"))
                .isEqualTo(ErrorCode.UNKNOWN_MODEL);
        assertThat(refusal("{\"evalId\":\"e\",\"perClass\":2,\"classes\":\"zero\"}"))
                .isEqualTo(ErrorCode.SCHEMA_VIOLATION);
        assertThat(refusal("{\"evalId\":\"e\",\"perClass\":2,\"extra\":1}"))
                .isEqualTo(ErrorCode.SCHEMA_VIOLATION);
    }

    @Test
    void onlyMessagesWithEvalIdAndNoRequestIdAreEvaluationRequests() throws Exception {
        assertThat(
                        EvalExpansion.isEvalRequest(
                                Messages.readTree(bytes("{\"evalId\":\"e\",\"perClass\":1}"))))
                .isTrue();
        assertThat(
                        EvalExpansion.isEvalRequest(
                                Messages.readTree(bytes("{\"requestId\":\"r\",\"evalId\":\"e\"}"))))
                .isFalse();
        assertThat(EvalExpansion.isEvalRequest(Messages.readTree(bytes("[1]")))).isFalse();
    }

    private ErrorCode refusal(String json) throws Exception {
        EvalExpansion.Expanded expanded = expansion.expand(Messages.readTree(bytes(json)));
        assertThat(expanded.accepted()).isFalse();
        assertThat(expanded.reason()).isNotBlank();
        return expanded.errorCode();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
