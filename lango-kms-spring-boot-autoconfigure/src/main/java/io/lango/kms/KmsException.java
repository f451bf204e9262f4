package io.lango.kms;

import java.util.Objects;

/**
 * Failure of one operation on one key, with the backend and a {@link KmsErrorKind} that callers branch on.
 *
 * <p>The message reads {@code kms aws encrypt (key=alias/app): <detail>}. It never contains key material,
 * plaintext, PINs or tokens.
 */
public class KmsException extends RuntimeException {

    private final KmsProviderName provider;

    private final String operation;

    private final String keyId;

    private final KmsErrorKind kind;

    public KmsException(KmsProviderName provider, String operation, String keyId, KmsErrorKind kind, String detail) {
        this(provider, operation, keyId, kind, detail, null);
    }

    public KmsException(KmsProviderName provider, String operation, String keyId, KmsErrorKind kind, String detail,
            Throwable cause) {
        super(formatMessage(provider, operation, keyId, detail), cause);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.operation = Objects.requireNonNull(operation, "operation");
        this.keyId = (keyId != null) ? keyId : "";
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    private static String formatMessage(KmsProviderName provider, String operation, String keyId, String detail) {
        String name = (provider != null) ? provider.shortName() : "unknown";
        return "kms %s %s (key=%s): %s".formatted(name, operation, (keyId != null) ? keyId : "", detail);
    }

    /**
     * Returns the backend that failed.
     */
    public KmsProviderName getProvider() {
        return this.provider;
    }

    /**
     * Returns the operation that failed: {@code sign}, {@code verify}, {@code encrypt}, {@code decrypt},
     * {@code public-key} or {@code start-up}.
     */
    public String getOperation() {
        return this.operation;
    }

    /**
     * Returns the key id as the caller or configuration gave it.
     */
    public String getKeyId() {
        return this.keyId;
    }

    /**
     * Returns the backend-independent class of the failure.
     */
    public KmsErrorKind getKind() {
        return this.kind;
    }

    /**
     * Returns true when a later attempt can succeed.
     */
    public boolean isRetryable() {
        return this.kind.isRetryable();
    }
}
