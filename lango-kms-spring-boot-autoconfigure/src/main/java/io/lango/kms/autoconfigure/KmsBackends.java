package io.lango.kms.autoconfigure;

import java.util.Objects;

import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.support.RetryingCryptoProvider;

/**
 * The configured primary provider and the local fallback, owned by the application context, which closes both
 * when it shuts down.
 */
public final class KmsBackends implements AutoCloseable {

    private final RetryingCryptoProvider primary;

    private final LocalCryptoProvider fallback;

    /**
     * Creates the holder; {@code fallback} is null when fallback to local keys is disabled or the primary is local.
     */
    public KmsBackends(RetryingCryptoProvider primary, LocalCryptoProvider fallback) {
        this.primary = Objects.requireNonNull(primary, "primary");
        this.fallback = fallback;
    }

    /**
     * Returns the configured provider, with retries.
     */
    public RetryingCryptoProvider primary() {
        return this.primary;
    }

    /**
     * Returns the local fallback, or null when there is none.
     */
    public LocalCryptoProvider fallback() {
        return this.fallback;
    }

    @Override
    public void close() {
        try {
            this.primary.close();
        }
        finally {
            if (this.fallback != null) {
                this.fallback.close();
            }
        }
    }
}
