package io.varflow.operators.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads a request's deadline, shared by generation and edit requests: either {@code deadline}, an
 * absolute RFC 3339 time, or {@code timeBudgetMs}, milliseconds from the moment the job accepted
 * the request. Deadlines are on the job's processing-time clock (epoch ms), which is the wall clock
 * of the task managers.
 */
public final class RequestDeadline {

    /** A request without a deadline. */
    public static final long NONE = Long.MAX_VALUE;

    private RequestDeadline() {}

    /**
     * The deadline of {@code request} in epoch ms, {@link #NONE} when it has none.
     *
     * @param receivedAt epoch ms when the job accepted it (the start of a time budget)
     * @throws IllegalArgumentException when both fields are given or {@code deadline} is not RFC
     *     3339; the message is meant for the dead letter
     */
    public static long of(JsonNode request, long receivedAt) {
        JsonNode at = request.get("deadline");
        JsonNode budget = request.get("timeBudgetMs");
        boolean hasAt = at != null && !at.isNull();
        boolean hasBudget = budget != null && !budget.isNull();
        if (hasAt && hasBudget) {
            throw new IllegalArgumentException("give deadline or timeBudgetMs, not both");
        }
        if (hasBudget) {
            if (!budget.canConvertToLong() || budget.longValue() < 1) {
                throw new IllegalArgumentException(
                        "timeBudgetMs must be a positive integer, got " + budget);
            }
            long ms = budget.longValue();
            return ms >= NONE - receivedAt ? NONE - 1 : receivedAt + ms;
        }
        if (hasAt) {
            return parse(at.asText());
        }
        return NONE;
    }

    private static long parse(String text) {
        try {
            Instant instant = OffsetDateTime.parse(text).toInstant();
            return instant.toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "deadline '"
                            + text
                            + "' is not an RFC 3339 time with offset, e.g. 2026-11-29T18:40:00Z");
        }
    }
}
