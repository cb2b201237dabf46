package io.varflow.operators.messages;

import java.io.Serializable;

/**
 * Bounds on what the job writes, so that no input can make a record the producer or topic refuses:
 * a dead letter keeps at most {@code maxOriginalBytes} of the refused value and {@code
 * maxReasonChars} of its reason; a result event lists at most {@code maxListedImages} images.
 *
 * @param maxOriginalBytes longest prefix of a refused value copied into its dead letter
 * @param maxReasonChars longest reason of a dead letter
 * @param maxListedImages most images listed in one result event
 */
public record OutputLimits(int maxOriginalBytes, int maxReasonChars, int maxListedImages)
        implements Serializable {

    /**
     * 64 KiB of the original (every request small enough to be valid is kept whole), 2,000
     * characters, 1,000 images.
     */
    public static final OutputLimits DEFAULTS = new OutputLimits(64 * 1024, 2_000, 1_000);

    public OutputLimits {
        if (maxOriginalBytes < 0 || maxReasonChars < 80 || maxListedImages < 1) {
            throw new IllegalArgumentException(
                    "output limits: original bytes >= 0, reason chars >= 80, listed images"
                            + " >= 1; got "
                            + maxOriginalBytes
                            + ", "
                            + maxReasonChars
                            + ", "
                            + maxListedImages);
        }
    }
}
