package io.varflow.operators.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.varflow.operators.ingest.RawRecord;
import io.varflow.operators.messages.DeadLetters;
import io.varflow.operators.messages.GenerationRequest;
import io.varflow.operators.messages.Messages;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sits in front of request validation: passes every record through unchanged except evaluation
 * requests ({@link EvalExpansion#isEvalRequest}), which it replaces with one generation-request
 * record per class (same Kafka coordinates), or sends to the dead-letter side output when invalid.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<RawRecord> expanded = raw.process(new EvalRequestExpander(catalog));
 * SingleOutputStreamOperator<ValidRequest> valid = expanded.process(new ValidateRequestFunction(validator));
 * DataStream<DeadLetter> deadLetters = valid.getSideOutput(DeadLetters.TAG).union(expanded.getSideOutput(DeadLetters.TAG));
 * }</pre>
 */
public final class EvalRequestExpander extends ProcessFunction<RawRecord, RawRecord> {

    private static final long serialVersionUID = 1L;
    private static final byte[] EVAL_ID =
            "\"evalId\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final EvalExpansion expansion;

    public EvalRequestExpander(io.varflow.operators.catalog.ModelCatalog catalog) {
        this.expansion = new EvalExpansion(catalog);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<RawRecord> out) {
        JsonNode node = evalRequestOrNull(record.value());
        if (node == null) {
            out.collect(record);
            return;
        }
        EvalExpansion.Expanded expanded = expansion.expand(node);
        if (!expanded.accepted()) {
            long now = ctx.timerService().currentProcessingTime();
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetters.of(
                            record,
                            expanded.errorCode(),
                            expanded.reason(),
                            expanded.evalId(),
                            now));
            return;
        }
        for (GenerationRequest request : expanded.requests()) {
            out.collect(
                    new RawRecord(
                            Messages.toBytes(request),
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp()));
        }
    }

    /**
     * The parsed message when it is an evaluation request; null for anything else (left to the
     * validator).
     */
    private static JsonNode evalRequestOrNull(byte[] value) {
        // Cheap pre-check: only messages mentioning evalId are parsed here.
        if (!contains(value, EVAL_ID)) {
            return null;
        }
        try {
            JsonNode node = Messages.readTree(value);
            return EvalExpansion.isEvalRequest(node) ? node : null;
        } catch (Exception notJson) {
            return null;
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
