package io.varflow.operators.edit;

import java.io.Serializable;

/**
 * Size limits of edit requests.
 *
 * @param maxMessageBytes largest accepted message value (inline PNGs make edits larger than
 *     generation requests)
 * @param maxVariants most results (count) per edit
 * @param maxInlineBytes largest decoded {@code pngBase64} source or mask
 * @param maxObjectBytes largest source or mask object fetched from the object store
 */
public record EditLimits(
        int maxMessageBytes, int maxVariants, int maxInlineBytes, long maxObjectBytes)
        implements Serializable {

    /**
     * 1 MiB messages (Kafka's default record limit), 64 variants, 512 KiB inline images, 32 MiB
     * objects.
     */
    public static final EditLimits DEFAULTS = new EditLimits(1 << 20, 64, 512 * 1024, 32L << 20);

    public EditLimits {
        if (maxMessageBytes < 256 || maxVariants < 1 || maxInlineBytes < 1 || maxObjectBytes < 1) {
            throw new IllegalArgumentException(
                    "edit limits must be positive (messages at least 256 bytes)");
        }
    }
}
