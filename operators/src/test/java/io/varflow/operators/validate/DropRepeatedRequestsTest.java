package io.varflow.operators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.model.SamplingParams;
import io.varflow.operators.messages.Priority;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DropRepeatedRequestsTest {

    private static final Duration TTL = Duration.ofMinutes(10);

    private static ValidRequest request(String id, long seed) {
        return new ValidRequest(
                id,
                "tiny",
                new int[] {1},
                seed,
                SamplingParams.FID,
                Priority.BULK,
                true,
                true,
                "",
                0,
                "t/0@" + seed);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ValidRequest, ValidRequest>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DropRepeatedRequests(TTL)),
                ValidRequest::requestId,
                Types.STRING);
    }

    @Test
    void passesTheFirstRequestOfAnIdAndDropsRepeatsUntilTheTtl() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.setStateTtlProcessingTime(0);
            h.open();
            h.processElement(request("a", 1), 0);
            h.processElement(request("b", 2), 0);
            h.processElement(request("a", 3), 0);
            assertThat(h.extractOutputValues())
                    .extracting(ValidRequest::seed)
                    .containsExactly(1L, 2L);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.setStateTtlProcessingTime(0);
            h.initializeState(snapshot);
            h.open();
            h.processElement(request("a", 4), 0);
            assertThat(h.extractOutputValues()).as("the seen flag survives a restore").isEmpty();
            h.setStateTtlProcessingTime(TTL.toMillis() + 1);
            h.processElement(request("a", 5), 0);
            assertThat(h.extractOutputValues()).extracting(ValidRequest::seed).containsExactly(5L);
        }
    }
}
