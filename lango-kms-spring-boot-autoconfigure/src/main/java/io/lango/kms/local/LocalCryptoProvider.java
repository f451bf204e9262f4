package io.lango.kms.local;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Arrays;
import java.util.Objects;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.support.EcdsaSha256;

/**
 * {@link CryptoProvider} on keys held in this JVM: AES-256-GCM for encryption and ECDSA P-256 with SHA-256 for
 * signatures.
 *
 * <p>Ciphertext is a fresh random 12-byte IV followed by the GCM output (ciphertext and 128-bit tag). The key ids
 * {@code "local"}, {@code "default"} and {@code ""} name the default keys; other ids must be names from
 * {@code security.kms.keys}. The provider is stateless apart from its keys, so it is safe for concurrent use.
 */
public final class LocalCryptoProvider implements CryptoProvider {

    /** Length of the GCM IV, the size NIST SP 800-38D recommends. */
    public static final int IV_LENGTH = 12;

    /** Length of the GCM authentication tag in bytes (128 bits). */
    public static final int TAG_LENGTH = 16;

    private static final String AES_GCM = "AES/GCM/NoPadding";

    private static final String SHA256_WITH_ECDSA = "SHA256withECDSA";

    private final LocalKeys keys;

    private final SecureRandom random = new SecureRandom();

    public LocalCryptoProvider(LocalKeys keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        SecretKey key = encryptionKey(KmsOperations.ENCRYPT, keyId);
        requireInput(KmsOperations.ENCRYPT, keyId, plaintext, "plaintext");
        byte[] iv = new byte[IV_LENGTH];
        this.random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, iv));
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] output = Arrays.copyOf(iv, IV_LENGTH + sealed.length);
            System.arraycopy(sealed, 0, output, IV_LENGTH, sealed.length);
            return output;
        }
        catch (GeneralSecurityException ex) {
            throw failure(KmsOperations.ENCRYPT, keyId, KmsErrorKind.INVALID_KEY, "AES-GCM encryption failed", ex);
        }
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        SecretKey key = encryptionKey(KmsOperations.DECRYPT, keyId);
        requireInput(KmsOperations.DECRYPT, keyId, ciphertext, "ciphertext");
        if (ciphertext.length < IV_LENGTH + TAG_LENGTH) {
            throw failure(KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT,
                    "ciphertext is %d bytes, shorter than the %d-byte minimum (%d-byte IV and %d-byte tag); it is truncated or not from this provider"
                        .formatted(ciphertext.length, IV_LENGTH + TAG_LENGTH, IV_LENGTH, TAG_LENGTH),
                    null);
        }
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, ciphertext, 0, IV_LENGTH));
            return cipher.doFinal(ciphertext, IV_LENGTH, ciphertext.length - IV_LENGTH);
        }
        catch (AEADBadTagException ex) {
            throw failure(KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT,
                    "authentication tag check failed: the ciphertext was changed or was made with another key", ex);
        }
        catch (GeneralSecurityException ex) {
            throw failure(KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT, "AES-GCM decryption failed",
                    ex);
        }
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        KeyPair keyPair = signingKey(KmsOperations.SIGN, keyId);
        requireInput(KmsOperations.SIGN, keyId, payload, "payload");
        try {
            Signature signer = Signature.getInstance(SHA256_WITH_ECDSA);
            signer.initSign(keyPair.getPrivate(), this.random);
            signer.update(payload);
            return signer.sign();
        }
        catch (GeneralSecurityException ex) {
            throw failure(KmsOperations.SIGN, keyId, KmsErrorKind.INVALID_KEY, "ECDSA signing failed", ex);
        }
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        KeyPair keyPair = signingKey(KmsOperations.VERIFY, keyId);
        requireInput(KmsOperations.VERIFY, keyId, payload, "payload");
        requireInput(KmsOperations.VERIFY, keyId, signature, "signature");
        try {
            return EcdsaSha256.verify(keyPair.getPublic(), payload, signature);
        }
        catch (GeneralSecurityException ex) {
            throw failure(KmsOperations.VERIFY, keyId, KmsErrorKind.INVALID_KEY, "ECDSA verification failed", ex);
        }
    }

    @Override
    public PublicKey publicKey(String keyId) {
        return signingKey(KmsOperations.PUBLIC_KEY, keyId).getPublic();
    }

    @Override
    public KmsProviderName providerName() {
        return KmsProviderName.LOCAL;
    }

    /**
     * Returns whether the keys are stored in a key store file and survive a restart.
     */
    public boolean isPersistent() {
        return this.keys.persistent();
    }

    private SecretKey encryptionKey(String operation, String keyId) {
        SecretKey key = this.keys.encryptionKeys().get(keyName(keyId));
        if (key == null) {
            throw unknownKey(operation, keyId, "encryption", this.keys.signingKeys().containsKey(keyName(keyId)));
        }
        return key;
    }

    private KeyPair signingKey(String operation, String keyId) {
        KeyPair keyPair = this.keys.signingKeys().get(keyName(keyId));
        if (keyPair == null) {
            throw unknownKey(operation, keyId, "signing", this.keys.encryptionKeys().containsKey(keyName(keyId)));
        }
        return keyPair;
    }

    private static String keyName(String keyId) {
        return CryptoProvider.isDefaultKeyId(keyId) ? LocalKeyStore.DEFAULT_KEY : keyId;
    }

    private static KmsException unknownKey(String operation, String keyId, String purpose, boolean otherPurpose) {
        String detail = otherPurpose
                ? "key is not %s %s key; use a key whose type is %s in security.kms.keys"
                    .formatted(purpose.equals("encryption") ? "an" : "a", purpose, purpose)
                : "key not found; use 'default' or a name listed in security.kms.keys";
        return failure(operation, keyId, KmsErrorKind.INVALID_KEY, detail, null);
    }

    private static void requireInput(String operation, String keyId, byte[] value, String name) {
        if (value == null) {
            throw failure(operation, keyId, KmsErrorKind.INVALID_INPUT, name + " is missing (null)", null);
        }
    }

    private static KmsException failure(String operation, String keyId, KmsErrorKind kind, String detail,
            Throwable cause) {
        return new KmsException(KmsProviderName.LOCAL, operation, keyId, kind, detail, cause);
    }
}
