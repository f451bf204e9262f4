package io.lango.kms.envelope;

import java.security.PublicKey;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsProviderName;

/**
 * Test decorator that forwards every call to another provider; subclasses override what they observe or break.
 */
public class ForwardingCryptoProvider implements CryptoProvider {

    private final CryptoProvider delegate;

    public ForwardingCryptoProvider(CryptoProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        return this.delegate.sign(keyId, payload);
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        return this.delegate.verify(keyId, payload, signature);
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        return this.delegate.encrypt(keyId, plaintext);
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        return this.delegate.decrypt(keyId, ciphertext);
    }

    @Override
    public PublicKey publicKey(String keyId) {
        return this.delegate.publicKey(keyId);
    }

    @Override
    public KmsProviderName providerName() {
        return this.delegate.providerName();
    }
}
