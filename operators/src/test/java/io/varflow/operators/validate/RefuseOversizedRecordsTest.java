package io.varflow.operators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.messages.ErrorCode;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class RefuseOversizedRecordsTest {

    @Test
    void recordsAboveTheLimitBecomeDeadLettersAndTheRestPassUnchanged() throws Exception {
        try (var h =
                ProcessFunctionTestHarnesses.forProcessFunction(new RefuseOversizedRecords(300))) {
            h.setProcessingTime(5);
            RawRecord small = new RawRecord(new byte[300], "requests", 0, 1, 10);
            RawRecord big = new RawRecord(new byte[301], "requests", 1, 2, 11, "k".getBytes());
            h.processElement(small, 0);
            h.processElement(big, 0);

            assertThat(h.extractOutputValues()).containsExactly(small);
            List<DeadLetter> letters =
                    h.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
            assertThat(letters).hasSize(1);
            DeadLetter letter = letters.get(0);
            assertThat(letter.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
            assertThat(letter.reason())
                    .isEqualTo("message is 301 bytes; the limit is 300 (not parsed)");
            assertThat(letter.originalSize()).isEqualTo(301);
            assertThat(letter.source())
                    .isEqualTo(new DeadLetter.Source("requests", 1, 2, 11L, "k"));
            assertThat(letter.deadLetteredAt()).isEqualTo(5);
        }
    }
}
