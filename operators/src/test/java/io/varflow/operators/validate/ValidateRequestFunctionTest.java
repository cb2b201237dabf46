package io.varflow.operators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.catalog.ModelCatalog;
import io.varflow.operators.catalog.ModelSpec;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.messages.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ValidateRequestFunctionTest {

    private static final RequestValidator VALIDATOR =
            new RequestValidator(
                    ModelCatalog.of(List.of(ModelSpec.tiny(4))), RequestLimits.DEFAULTS);

    private static RawRecord record(String value, long offset) {
        return new RawRecord(
                value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                "requests",
                3,
                offset,
                77);
    }

    @Test
    void validRecordsFlowOnAndEveryOtherRecordBecomesADeadLetterWithoutStoppingTheStream()
            throws Exception {
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new ValidateRequestFunction(VALIDATOR))) {
            h.setProcessingTime(500);
            h.processElement(record("{\"requestId\":\"a\",\"classLabel\":1,\"count\":2}", 10), 0);
            h.processElement(record(null, 11), 0);
            h.processElement(record("{\"requestId\":\"b\",\"classLabel\":99,\"count\":1}", 12), 0);
            h.processElement(record("{\"requestId\":\"c\",\"labels\":[0]}", 13), 0);

            List<ValidRequest> valid = h.extractOutputValues();
            assertThat(valid).extracting(ValidRequest::requestId).containsExactly("a", "c");
            assertThat(valid.get(0).source()).isEqualTo("requests/3@10");
            assertThat(valid.get(0).receivedAt()).isEqualTo(500);

            ConcurrentLinkedQueue<StreamRecord<DeadLetter>> side = h.getSideOutput(DeadLetters.TAG);
            assertThat(side).hasSize(2);
            DeadLetter tombstone = side.poll().getValue();
            assertThat(tombstone.errorCode()).isEqualTo(ErrorCode.EMPTY_MESSAGE);
            assertThat(tombstone.source()).isEqualTo(new DeadLetter.Source("requests", 3, 11, 77L));
            assertThat(tombstone.original()).isEmpty();
            DeadLetter label = side.poll().getValue();
            assertThat(label.errorCode()).isEqualTo(ErrorCode.LABEL_OUT_OF_RANGE);
            assertThat(label.requestId()).isEqualTo("b");
            assertThat(label.reason()).contains("classLabel 99").contains("0..9");
            assertThat(new String(label.original(), StandardCharsets.UTF_8))
                    .contains("\"classLabel\":99");
            assertThat(label.deadLetteredAt()).isEqualTo(500);
        }
    }
}
