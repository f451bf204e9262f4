package io.lango.kms.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;

/**
 * Byte layout of envelope ciphertext, version 2 of the Lango KMS ciphertext format.
 *
 * <pre>
 * offset  size  field
 * 0       2     magic 'L' 'K'
 * 2       1     format version, 0x02
 * 3       1     code of the provider that wrapped the data key
 * 4       2     key id length n, unsigned big-endian
 * 6       n     key id, UTF-8, as passed to the wrapping provider
 * 6+n     2     wrapped data key length m, unsigned big-endian
 * 8+n     m     wrapped data key, the provider's own ciphertext of the 32-byte AES key
 * 8+n+m   12    AES-GCM IV
 * 20+n+m  rest  AES-256-GCM ciphertext followed by the 16-byte tag
 * </pre>
 *
 * The header is every byte before the IV. AES-GCM authenticates the header followed by the caller's associated
 * data, so a change to either fails decryption.
 */
public final class EnvelopeFormat {

    /** Format version of envelope ciphertext. */
    public static final byte VERSION = 2;

    /** Length of the AES-GCM IV. */
    public static final int IV_LENGTH = 12;

    /** Length of the AES-GCM tag. */
    public static final int TAG_LENGTH = 16;

    /** Length of the AES-256 data key. */
    public static final int DATA_KEY_LENGTH = 32;

    private static final int MAX_FIELD_LENGTH = 0xFFFF;

    private static final int FIXED_HEADER_LENGTH = 8;

    private EnvelopeFormat() {
    }

    /**
     * Encodes the header that names the wrapping provider and key and carries the wrapped data key.
     */
    public static byte[] header(KmsProviderName provider, String keyId, byte[] wrappedKey) {
        byte[] keyIdBytes = keyId.getBytes(StandardCharsets.UTF_8);
        requireFieldLength(provider, keyId, "key id", keyIdBytes.length);
        requireFieldLength(provider, keyId, "wrapped data key", wrappedKey.length);
        ByteBuffer header = ByteBuffer.allocate(FIXED_HEADER_LENGTH + keyIdBytes.length + wrappedKey.length);
        header.put((byte) 'L').put((byte) 'K').put(VERSION).put(provider.code());
        header.putShort((short) keyIdBytes.length).put(keyIdBytes);
        header.putShort((short) wrappedKey.length).put(wrappedKey);
        return header.array();
    }

    /**
     * Returns true when {@code ciphertext} starts with the magic bytes and the envelope version.
     */
    public static boolean isEnvelope(byte[] ciphertext) {
        return ciphertext != null && ciphertext.length >= 3 && ciphertext[0] == 'L' && ciphertext[1] == 'K'
                && ciphertext[2] == VERSION;
    }

    /**
     * Splits envelope ciphertext into its fields, or throws an {@code INVALID_CIPHERTEXT} error naming the field
     * that is malformed.
     */
    public static EnvelopeCiphertext parse(byte[] ciphertext, KmsProviderName decryptingProvider, String keyId) {
        if (!isEnvelope(ciphertext)) {
            throw invalid(decryptingProvider, keyId, "ciphertext does not start with the envelope header (LK, version 2)");
        }
        if (ciphertext.length < FIXED_HEADER_LENGTH) {
            throw invalid(decryptingProvider, keyId, "envelope ciphertext is truncated: %d bytes, shorter than the %d-byte fixed header"
                .formatted(ciphertext.length, FIXED_HEADER_LENGTH));
        }
        ByteBuffer buffer = ByteBuffer.wrap(ciphertext);
        buffer.position(3);
        byte code = buffer.get();
        KmsProviderName provider = KmsProviderName.fromCode(code)
            .orElseThrow(() -> invalid(decryptingProvider, keyId, "envelope header names unknown provider code " + code));
        byte[] headerKeyId = readField(buffer, decryptingProvider, keyId, "key id");
        byte[] wrappedKey = readField(buffer, decryptingProvider, keyId, "wrapped data key");
        int headerLength = buffer.position();
        if (buffer.remaining() < IV_LENGTH + TAG_LENGTH) {
            throw invalid(decryptingProvider, keyId, "envelope ciphertext is truncated: %d bytes follow the header, fewer than the %d-byte IV and tag"
                .formatted(buffer.remaining(), IV_LENGTH + TAG_LENGTH));
        }
        byte[] iv = new byte[IV_LENGTH];
        buffer.get(iv);
        byte[] sealed = new byte[buffer.remaining()];
        buffer.get(sealed);
        return new EnvelopeCiphertext(provider, new String(headerKeyId, StandardCharsets.UTF_8), wrappedKey,
                Arrays.copyOf(ciphertext, headerLength), iv, sealed);
    }

    private static byte[] readField(ByteBuffer buffer, KmsProviderName provider, String keyId, String field) {
        if (buffer.remaining() < 2) {
            throw invalid(provider, keyId, "envelope header is truncated before the " + field + " length");
        }
        int length = Short.toUnsignedInt(buffer.getShort());
        if (buffer.remaining() < length) {
            throw invalid(provider, keyId, "envelope header is truncated: the %s needs %d bytes, %d remain"
                .formatted(field, length, buffer.remaining()));
        }
        byte[] value = new byte[length];
        buffer.get(value);
        return value;
    }

    private static void requireFieldLength(KmsProviderName provider, String keyId, String field, int length) {
        if (length > MAX_FIELD_LENGTH) {
            throw new KmsException(provider, KmsOperations.ENCRYPT, keyId, KmsErrorKind.INVALID_INPUT,
                    "%s is %d bytes, over the envelope format's limit of %d bytes".formatted(field, length,
                            MAX_FIELD_LENGTH));
        }
    }

    private static KmsException invalid(KmsProviderName provider, String keyId, String detail) {
        return new KmsException(provider, KmsOperations.DECRYPT, keyId, KmsErrorKind.INVALID_CIPHERTEXT, detail);
    }

    /**
     * Fields of one envelope ciphertext.
     *
     * @param provider provider that wrapped the data key
     * @param keyId key id passed to that provider
     * @param wrappedKey the provider's ciphertext of the data key
     * @param header every byte before the IV, authenticated by AES-GCM
     * @param iv the AES-GCM IV
     * @param sealed the AES-GCM ciphertext followed by the tag
     */
    public record EnvelopeCiphertext(KmsProviderName provider, String keyId, byte[] wrappedKey, byte[] header,
            byte[] iv, byte[] sealed) {
    }
}
