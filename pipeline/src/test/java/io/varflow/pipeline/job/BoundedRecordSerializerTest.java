package io.varflow.pipeline.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.varflow.operators.messages.DeadLetter;
import io.varflow.operators.messages.ErrorCode;
import io.varflow.operators.messages.Messages;
import io.varflow.operators.messages.ResultEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class BoundedRecordSerializerTest {

    private static final int LIMIT = 4096;

    private final BoundedRecordSerializer<ResultEvent> results =
            new BoundedRecordSerializer<>(
                    "results",
                    "dead-letters",
                    new VarflowJob.ResultKey(),
                    event -> event.listingAtMost(0),
                    LIMIT);

    private static ResultEvent event(String requestId, int images) {
        List<ResultEvent.Image> list = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            list.add(
                    new ResultEvent.Image(
                            i,
                            1,
                            i,
                            String.format("s3://b/%s/%04d.png", requestId, i),
                            null,
                            null));
        }
        return new ResultEvent(
                requestId,
                ResultEvent.Status.SUCCEEDED,
                "tiny",
                list,
                new ResultEvent.Timings(1, 2, 1, 0, 5, 0),
                null);
    }

    @Test
    void aRecordThatFitsIsWrittenAsItIs() {
        ResultEvent small = event("r-1", 3);
        ProducerRecord<byte[], byte[]> record = results.serialize(small, null, 17L);
        assertThat(record.topic()).isEqualTo("results");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("r-1");
        assertThat(record.value()).isEqualTo(Messages.toBytes(small));
        assertThat(record.timestamp()).isEqualTo(17L);
    }

    @Test
    void aRecordTooLargeIsWrittenShortenedBelowTheLimit() {
        ProducerRecord<byte[], byte[]> record = results.serialize(event("many", 100), null, null);
        assertThat(record.topic()).isEqualTo("results");
        assertThat(record.value().length + record.key().length).isLessThanOrEqualTo(LIMIT);
        ResultEvent written = Messages.read(record.value(), ResultEvent.class);
        assertThat(written.images()).isEmpty();
        assertThat(written.imagesOmitted()).isEqualTo(100);
        assertThat(written.objectsUri()).isEqualTo("s3://b/many/");
    }

    @Test
    void aRecordTooLargeEvenShortenedIsDivertedAsASmallDeadLetter() {
        BoundedRecordSerializer<DeadLetter> letters =
                new BoundedRecordSerializer<>(
                        "dead-letters",
                        "dead-letters",
                        new VarflowJob.DeadLetterKey(),
                        letter -> letter,
                        LIMIT);
        DeadLetter huge =
                new DeadLetter(
                        ErrorCode.NOT_JSON,
                        "x".repeat(10_000),
                        "r-9",
                        new DeadLetter.Source("requests", 0, 5, null),
                        new byte[0],
                        1);
        ProducerRecord<byte[], byte[]> record = letters.serialize(huge, null, null);
        assertThat(record.value().length).isLessThanOrEqualTo(LIMIT);
        DeadLetter diverted = Messages.read(record.value(), DeadLetter.class);
        assertThat(diverted.errorCode()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
        assertThat(diverted.requestId()).isEqualTo("r-9");
        assertThat(diverted.source().topic()).isEqualTo("dead-letters");
        assertThat(diverted.originalSize()).isEqualTo(Messages.toBytes(huge).length);
        assertThat(diverted.originalTruncated()).isTrue();
        assertThat(diverted.reason()).contains("exceeds the record limit of 4096 bytes");
    }
}
