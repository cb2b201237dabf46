package io.varflow.operators.edit;

import java.io.IOException;

/** Reads an edit's source or mask object. */
public interface SourceFetcher {

    /** The object is absent (or its bucket is). */
    final class NotFoundException extends IOException {
        private static final long serialVersionUID = 1L;

        public NotFoundException(String message) {
            super(message);
        }
    }

    /**
     * The bytes of {@code uri} ({@code s3://bucket/key}).
     *
     * @throws NotFoundException when there is no such object
     * @throws IllegalArgumentException when the URI is not one this fetcher may read
     * @throws IOException when it cannot be read or is larger than {@code maxBytes}
     */
    byte[] fetch(String uri, long maxBytes) throws IOException;
}
