package io.varflow.operators.edit;

import io.varflow.model.SamplingParams;

/**
 * An edit request that passed validation, with its source fetched and decoded and every default
 * resolved; {@link ResolveEditFunction} expands it into one image per variant.
 *
 * @param count number of variants
 * @param receivedAt epoch ms when it was accepted
 * @param source Kafka coordinates
 * @param deadline epoch ms by which its images must reach the model, {@code RequestDeadline.NONE}
 *     for none
 */
public record AcceptedEdit(
        String requestId,
        String model,
        int label,
        int count,
        long seed,
        SamplingParams sampling,
        boolean storeImages,
        boolean storeTokenMaps,
        String outputPrefix,
        long receivedAt,
        String source,
        EditWork edit,
        long deadline) {}
