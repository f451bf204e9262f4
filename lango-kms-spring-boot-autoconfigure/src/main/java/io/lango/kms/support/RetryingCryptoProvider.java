package io.lango.kms.support;

import java.security.PublicKey;
import java.util.Objects;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * {@link CryptoProvider} that runs every operation of a backend provider through {@link KmsRetry}.
 */
public final class RetryingCryptoProvider implements CryptoProvider {

    private final CryptoProvider delegate;

    private final KmsRetry retry;

    public RetryingCryptoProvider(CryptoProvider delegate, KmsRetry retry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /**
     * Returns the backend provider without retries, for probes that must be bounded by one attempt.
     */
    public CryptoProvider unwrap() {
        return this.delegate;
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        return run(KmsOperations.SIGN, keyId, () -> this.delegate.sign(keyId, payload));
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        return run(KmsOperations.VERIFY, keyId, () -> this.delegate.verify(keyId, payload, signature));
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        return run(KmsOperations.ENCRYPT, keyId, () -> this.delegate.encrypt(keyId, plaintext));
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        return run(KmsOperations.DECRYPT, keyId, () -> this.delegate.decrypt(keyId, ciphertext));
    }

    @Override
    public PublicKey publicKey(String keyId) {
        return run(KmsOperations.PUBLIC_KEY, keyId, () -> this.delegate.publicKey(keyId));
    }

    @Override
    public KmsProviderName providerName() {
        return this.delegate.providerName();
    }

    @Override
    public void close() {
        this.delegate.close();
    }

    private <T> T run(String operation, String keyId, java.util.function.Supplier<T> action) {
        return this.retry.execute(this.delegate.providerName(), operation, keyId, action);
    }
}
