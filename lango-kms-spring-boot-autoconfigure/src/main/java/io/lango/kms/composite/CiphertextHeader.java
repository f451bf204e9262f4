package io.lango.kms.composite;

import java.util.Arrays;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * Four-byte prefix that names the provider that made a ciphertext, so decrypt is routed back to it.
 *
 * <p>Layout: the magic bytes {@code 'L' 'K'}, the format version {@code 0x01}, then the provider's code from
 * {@link KmsProviderName#code()}; the provider's own ciphertext follows.
 */
public final class CiphertextHeader {

    /** Length of the header in bytes. */
    public static final int LENGTH = 4;

    /** Version of the layout written by this class. */
    public static final byte VERSION = 1;

    private static final byte MAGIC_0 = 'L';

    private static final byte MAGIC_1 = 'K';

    private CiphertextHeader() {
    }

    /**
     * Returns {@code ciphertext} prefixed with the header for {@code provider}.
     */
    public static byte[] prepend(KmsProviderName provider, byte[] ciphertext) {
        byte[] output = new byte[LENGTH + ciphertext.length];
        output[0] = MAGIC_0;
        output[1] = MAGIC_1;
        output[2] = VERSION;
        output[3] = provider.code();
        System.arraycopy(ciphertext, 0, output, LENGTH, ciphertext.length);
        return output;
    }

    /**
     * Returns the provider named by the header of {@code ciphertext}, or throws an {@code INVALID_CIPHERTEXT} error
     * that describes the problem.
     */
    public static KmsProviderName provider(KmsProviderName decryptingProvider, String keyId, byte[] ciphertext) {
        if (ciphertext == null || ciphertext.length < LENGTH || ciphertext[0] != MAGIC_0 || ciphertext[1] != MAGIC_1) {
            throw invalid(decryptingProvider, keyId,
                    "ciphertext does not start with the Lango KMS header ('LK'); it is truncated or was not made by this library");
        }
        if (ciphertext[2] != VERSION) {
            throw invalid(decryptingProvider, keyId,
                    "ciphertext header version %d is not supported; this library reads versions 1 (direct) and 2 (envelope)"
                        .formatted(ciphertext[2]));
        }
        return KmsProviderName.fromCode(ciphertext[3])
            .orElseThrow(() -> invalid(decryptingProvider, keyId,
                    "ciphertext header names unknown provider code %d".formatted(ciphertext[3])));
    }

    /**
     * Returns the provider's ciphertext after the header.
     */
    public static byte[] body(byte[] ciphertext) {
        return Arrays.copyOfRange(ciphertext, LENGTH, ciphertext.length);
    }

    private static KmsException invalid(KmsProviderName provider, String keyId, String detail) {
        return new KmsException(provider, KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT, detail);
    }
}
