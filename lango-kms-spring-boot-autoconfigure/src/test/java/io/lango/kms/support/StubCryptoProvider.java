package io.lango.kms.support;

import java.security.PublicKey;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsProviderName;

/**
 * Base for test doubles of pure logic: every operation is unsupported until a subclass overrides it.
 */
class StubCryptoProvider implements CryptoProvider {

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        throw new UnsupportedOperationException("sign");
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        throw new UnsupportedOperationException("verify");
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        throw new UnsupportedOperationException("encrypt");
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        throw new UnsupportedOperationException("decrypt");
    }

    @Override
    public PublicKey publicKey(String keyId) {
        throw new UnsupportedOperationException("publicKey");
    }

    @Override
    public KmsProviderName providerName() {
        return KmsProviderName.AWS_KMS;
    }
}
