package io.varflow.pipeline.job;

import io.varflow.operators.batch.BatchingOptions;
import io.varflow.operators.edit.EditLimits;
import io.varflow.operators.messages.OutputLimits;
import io.varflow.operators.store.StoreRetryOptions;
import io.varflow.operators.validate.RequestLimits;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import io.varflow.pipeline.config.Setting;

/**
 * The operators' option records from the job's settings. Each record checks its values together
 * (e.g. the longest store backoff is at least the first); a refusal names the keys involved.
 */
final class OperatorOptions {

    private OperatorOptions() {}

    static RequestLimits requestLimits(JobConfig config) {
        return checked(
                () ->
                        new RequestLimits(
                                config.get(JobOptions.REQUESTS_MAX_MESSAGE_BYTES).intValue(),
                                config.get(JobOptions.REQUESTS_MAX_IMAGES)),
                JobOptions.REQUESTS_MAX_MESSAGE_BYTES,
                JobOptions.REQUESTS_MAX_IMAGES);
    }

    static EditLimits editLimits(JobConfig config) {
        return checked(
                () ->
                        new EditLimits(
                                config.get(JobOptions.EDITS_MAX_MESSAGE_BYTES).intValue(),
                                config.get(JobOptions.EDITS_MAX_VARIANTS),
                                config.get(JobOptions.EDITS_MAX_INLINE_BYTES).intValue(),
                                config.get(JobOptions.EDITS_MAX_OBJECT_BYTES)),
                JobOptions.EDITS_MAX_MESSAGE_BYTES,
                JobOptions.EDITS_MAX_VARIANTS,
                JobOptions.EDITS_MAX_INLINE_BYTES,
                JobOptions.EDITS_MAX_OBJECT_BYTES);
    }

    static OutputLimits outputLimits(JobConfig config) {
        return checked(
                () ->
                        new OutputLimits(
                                config.get(JobOptions.DEAD_LETTER_MAX_ORIGINAL_BYTES).intValue(),
                                OutputLimits.DEFAULTS.maxReasonChars(),
                                config.get(JobOptions.RESULTS_MAX_LISTED_IMAGES)),
                JobOptions.DEAD_LETTER_MAX_ORIGINAL_BYTES,
                JobOptions.RESULTS_MAX_LISTED_IMAGES);
    }

    static BatchingOptions batching(JobConfig config) {
        return checked(
                () ->
                        new BatchingOptions(
                                config.get(JobOptions.BATCH_MAX_WAIT).toMillis(),
                                config.get(JobOptions.BATCH_PRIORITY_LOOKAHEAD)),
                JobOptions.BATCH_MAX_WAIT,
                JobOptions.BATCH_PRIORITY_LOOKAHEAD);
    }

    static StoreRetryOptions storeRetry(JobConfig config) {
        return checked(
                () ->
                        new StoreRetryOptions(
                                config.find(JobOptions.STORE_MAX_RETRIES)
                                        .orElse(StoreRetryOptions.NO_RETRY_LIMIT),
                                config.get(JobOptions.STORE_INITIAL_BACKOFF).toMillis(),
                                config.get(JobOptions.STORE_MAX_BACKOFF).toMillis(),
                                config.get(JobOptions.STORE_TIMEOUT).toMillis(),
                                config.get(JobOptions.STORE_MAX_IN_FLIGHT)),
                JobOptions.STORE_MAX_RETRIES,
                JobOptions.STORE_INITIAL_BACKOFF,
                JobOptions.STORE_MAX_BACKOFF,
                JobOptions.STORE_TIMEOUT,
                JobOptions.STORE_MAX_IN_FLIGHT);
    }

    private interface Options<T> {
        T create();
    }

    private static <T> T checked(Options<T> options, Setting<?>... keys) {
        try {
            return options.create();
        } catch (IllegalArgumentException e) {
            StringBuilder names = new StringBuilder();
            for (Setting<?> key : keys) {
                names.append(names.length() == 0 ? "" : ", ").append(key.key());
            }
            throw new IllegalArgumentException(
                    "settings " + names + " do not fit together: " + e.getMessage(), e);
        }
    }
}
