package io.lango.kms;

/**
 * Backend-independent class of a {@link KmsException}; providers map SDK error codes, gRPC codes and HTTP
 * statuses to these values.
 */
public enum KmsErrorKind {

    /** The backend cannot be reached or failed internally (connection refused, timeout, HTTP 5xx). */
    UNAVAILABLE(true),

    /** The backend rejected the request rate; a later attempt can succeed. */
    THROTTLED(true),

    /** The credentials are missing, invalid, or lack permission for the operation on the key. */
    ACCESS_DENIED(false),

    /** The key exists but is disabled, pending deletion, or expired. */
    KEY_DISABLED(false),

    /** The key does not exist or cannot do the operation (wrong type, usage or mechanism). */
    INVALID_KEY(false),

    /** The ciphertext is tampered, truncated, or was made by another key or backend. */
    INVALID_CIPHERTEXT(false),

    /** The caller's input is invalid, for example plaintext over the backend's size limit. */
    INVALID_INPUT(false),

    /** A checksum of a request or response did not match, so the data was corrupted in transit. */
    INTEGRITY(true);

    private final boolean retryable;

    KmsErrorKind(boolean retryable) {
        this.retryable = retryable;
    }

    /**
     * Returns true when a later attempt of the same request can succeed, so {@code KmsRetry} retries it.
     */
    public boolean isRetryable() {
        return this.retryable;
    }
}
