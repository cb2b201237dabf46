package io.varflow.operators.messages;

/** Why a request was dead-lettered or failed. The names are part of the message contract. */
public enum ErrorCode {
    /** The record had no value (a tombstone) or only whitespace. */
    EMPTY_MESSAGE,
    /** The value is longer than the configured maximum message size. */
    MESSAGE_TOO_LARGE,
    /** The value is not a JSON object. */
    NOT_JSON,
    /** The JSON does not match {@code generation-request.schema.json}. */
    SCHEMA_VIOLATION,
    /**
     * requestId is missing the safe pattern (letters, digits, '.', '_', '-'; no '..'; 1-128 chars).
     */
    UNSAFE_REQUEST_ID,
    /** outputPrefix is not '/'-joined safe segments, or is too long. */
    UNSAFE_OUTPUT_PREFIX,
    /** The model is not one the job serves. */
    UNKNOWN_MODEL,
    /** A class label is not below the model's number of classes. */
    LABEL_OUT_OF_RANGE,
    /** More images than the job's per-request limit. */
    TOO_MANY_IMAGES,
    /** A sampling parameter the model cannot use (e.g. topK above the vocabulary). */
    INVALID_PARAMETER,
    /** The model failed while generating (result events only). */
    GENERATION_FAILED,
    /** An edit's mode is not inpaint, outpaint, class-edit or variation. */
    UNKNOWN_EDIT_MODE,
    /** An edit's source (or mask) object does not exist in the object store. */
    SOURCE_NOT_FOUND,
    /**
     * An edit's source (or mask) could not be fetched or is neither a PNG nor a varflow token map.
     */
    UNREADABLE_SOURCE,
    /** An edit's source image or token map does not have the model's resolution or scales. */
    WRONG_SOURCE_SIZE,
    /** An edit's mask is missing, out of range, or covers no token (empty). */
    INVALID_MASK,
    /**
     * A record the job was about to write (a result event or dead letter) exceeded what the
     * producer and topic accept even when shortened; it was diverted to the dead-letter topic
     * instead.
     */
    RECORD_TOO_LARGE,
    /**
     * The request's deadline passed before its images reached the model, or could not be met given
     * the model's measured batch time (result events of status {@code expired} only).
     */
    DEADLINE_EXCEEDED
}
