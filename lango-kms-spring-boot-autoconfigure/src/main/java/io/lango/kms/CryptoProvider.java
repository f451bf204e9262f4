package io.lango.kms;

import java.security.PublicKey;

/**
 * Signs, verifies, encrypts and decrypts with keys held by one backend: a cloud KMS, an HSM or a local key store.
 *
 * <p>The key ids {@code "local"}, {@code "default"} and {@code ""} name the configured default key. Signatures are
 * ECDSA P-256 over the SHA-256 digest of the payload, DER-encoded, so any signature verifies with plain JCA
 * {@code SHA256withECDSA} and {@link #publicKey(String)}. Every method reports a backend failure as a
 * {@link KmsException} whose {@link KmsErrorKind} tells the caller whether a retry can help.
 */
public interface CryptoProvider extends AutoCloseable {

    /**
     * Signs the SHA-256 digest of {@code payload} and returns a DER-encoded ECDSA signature.
     */
    byte[] sign(String keyId, byte[] payload);

    /**
     * Checks {@code signature} over {@code payload}; returns false for a wrong or malformed signature and throws
     * only when the key cannot be used.
     */
    boolean verify(String keyId, byte[] payload, byte[] signature);

    /**
     * Encrypts {@code plaintext} and returns ciphertext that only {@link #decrypt(String, byte[])} of the same
     * backend can read.
     */
    byte[] encrypt(String keyId, byte[] plaintext);

    /**
     * Decrypts ciphertext made by {@link #encrypt(String, byte[])}; tampered or truncated input raises a
     * {@link KmsException} of kind {@link KmsErrorKind#INVALID_CIPHERTEXT}.
     */
    byte[] decrypt(String keyId, byte[] ciphertext);

    /**
     * Encrypts {@code plaintext} and binds it to {@code aad}, associated data that decrypt must be given again.
     * Providers without associated-data support accept only null or empty {@code aad}.
     */
    default byte[] encrypt(String keyId, byte[] plaintext, byte[] aad) {
        requireNoAssociatedData(KmsOperations.ENCRYPT, keyId, aad);
        return encrypt(keyId, plaintext);
    }

    /**
     * Decrypts ciphertext made by {@link #encrypt(String, byte[], byte[])} with the same {@code aad}; other
     * associated data raises a {@link KmsException} of kind {@link KmsErrorKind#INVALID_CIPHERTEXT}.
     */
    default byte[] decrypt(String keyId, byte[] ciphertext, byte[] aad) {
        requireNoAssociatedData(KmsOperations.DECRYPT, keyId, aad);
        return decrypt(keyId, ciphertext);
    }

    /**
     * Returns the public key that verifies signatures made with {@code keyId}.
     */
    PublicKey publicKey(String keyId);

    /**
     * Returns the backend this provider talks to.
     */
    KmsProviderName providerName();

    /**
     * Releases sessions, clients and threads; the default does nothing.
     */
    @Override
    default void close() {
    }

    private void requireNoAssociatedData(String operation, String keyId, byte[] aad) {
        if (aad != null && aad.length > 0) {
            throw new KmsException(providerName(), operation, keyId, KmsErrorKind.INVALID_INPUT,
                    "associated data needs envelope encryption; set security.kms.envelope.enabled=true");
        }
    }

    /**
     * Returns true when {@code keyId} names the configured default key.
     */
    static boolean isDefaultKeyId(String keyId) {
        return keyId == null || keyId.isBlank() || "local".equals(keyId) || "default".equals(keyId);
    }
}
