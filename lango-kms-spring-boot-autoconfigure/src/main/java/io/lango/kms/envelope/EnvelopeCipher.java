package io.lango.kms.envelope;

import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * AES-256-GCM of the payload under a data key, authenticating the envelope header followed by the caller's
 * associated data.
 */
final class EnvelopeCipher {

    private static final String AES_GCM = "AES/GCM/NoPadding";

    private static final byte[] NO_AAD = new byte[0];

    private EnvelopeCipher() {
    }

    /**
     * Returns header, IV, ciphertext and tag as one array.
     */
    static byte[] seal(SecretKey dataKey, byte[] header, byte[] iv, byte[] plaintext, byte[] aad) {
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(EnvelopeFormat.TAG_LENGTH * 8, iv));
            cipher.updateAAD(header);
            cipher.updateAAD(orEmpty(aad));
            byte[] output = new byte[header.length + iv.length + cipher.getOutputSize(plaintext.length)];
            System.arraycopy(header, 0, output, 0, header.length);
            System.arraycopy(iv, 0, output, header.length, iv.length);
            cipher.doFinal(plaintext, 0, plaintext.length, output, header.length + iv.length);
            return output;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-256-GCM encryption failed", ex);
        }
    }

    /**
     * Decrypts the payload of {@code envelope}; a changed header, associated data, wrapped key or payload raises
     * an {@code INVALID_CIPHERTEXT} error.
     */
    static byte[] open(SecretKey dataKey, EnvelopeFormat.EnvelopeCiphertext envelope, byte[] aad,
            KmsProviderName provider, String keyId) {
        try {
            Cipher cipher = Cipher.getInstance(AES_GCM);
            cipher.init(Cipher.DECRYPT_MODE, dataKey,
                    new GCMParameterSpec(EnvelopeFormat.TAG_LENGTH * 8, envelope.iv()));
            cipher.updateAAD(envelope.header());
            cipher.updateAAD(orEmpty(aad));
            return cipher.doFinal(envelope.sealed());
        }
        catch (AEADBadTagException ex) {
            throw new KmsException(provider, KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT,
                    "authentication tag check failed: the ciphertext, its header or the associated data was changed, or the wrapped data key belongs to other ciphertext",
                    ex);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-256-GCM decryption failed", ex);
        }
    }

    private static byte[] orEmpty(byte[] aad) {
        return (aad != null) ? aad : NO_AAD;
    }
}
