package io.lango.kms.pkcs11;

import java.util.Arrays;
import java.util.Optional;

/**
 * Converts a DER-encoded ECDSA signature to the fixed-length {@code r || s} form (IEEE P1363) that
 * {@code CKM_ECDSA} verifies.
 *
 * <p>The conversion is done here because SunPKCS11's own {@code NONEwithECDSA} verification (JDK 17 and 25) pads
 * {@code r} and {@code s} only to the longer of the two. When both are below 2^248, which happens for about one P-256
 * signature in 65536, it passes 62 bytes instead of 64, and the token reports a valid signature as invalid.
 */
final class EcdsaSignatureFormat {

    private static final int SEQUENCE = 0x30;

    private static final int INTEGER = 0x02;

    private EcdsaSignatureFormat() {
    }

    /**
     * Returns {@code r || s}, each left-padded to {@code length} bytes, or empty when {@code der} is not a strict DER
     * {@code SEQUENCE} of two positive {@code INTEGER}s that fit in {@code length} bytes.
     */
    static Optional<byte[]> derToP1363(byte[] der, int length) {
        if (der.length < 2 || (der[0] & 0xFF) != SEQUENCE) {
            return Optional.empty();
        }
        int[] position = { 1 };
        int sequenceLength = readLength(der, position);
        if (sequenceLength < 0 || position[0] + sequenceLength != der.length) {
            return Optional.empty();
        }
        byte[] output = new byte[2 * length];
        if (!readInteger(der, position, output, 0, length) || !readInteger(der, position, output, length, length)) {
            return Optional.empty();
        }
        return (position[0] == der.length) ? Optional.of(output) : Optional.empty();
    }

    /**
     * Reads one minimal, positive DER {@code INTEGER} at {@code position} into {@code output} at {@code offset},
     * right-aligned in {@code length} bytes.
     */
    private static boolean readInteger(byte[] der, int[] position, byte[] output, int offset, int length) {
        if (position[0] >= der.length || (der[position[0]] & 0xFF) != INTEGER) {
            return false;
        }
        position[0]++;
        int valueLength = readLength(der, position);
        if (valueLength <= 0 || position[0] + valueLength > der.length) {
            return false;
        }
        byte[] value = Arrays.copyOfRange(der, position[0], position[0] + valueLength);
        position[0] += valueLength;
        if ((value[0] & 0x80) != 0) {
            return false;
        }
        if (value[0] == 0 && (value.length == 1 || (value[1] & 0x80) == 0)) {
            // A leading zero is allowed only to keep a high bit from reading as a sign, and zero is no valid r or s.
            return false;
        }
        int start = (value[0] == 0) ? 1 : 0;
        int significant = value.length - start;
        if (significant > length) {
            return false;
        }
        System.arraycopy(value, start, output, offset + length - significant, significant);
        return true;
    }

    /**
     * Reads a DER length in short form, or in long form of one byte for lengths from 128 to 255; returns -1 for
     * anything else, which no P-256 to P-521 signature needs.
     */
    private static int readLength(byte[] der, int[] position) {
        if (position[0] >= der.length) {
            return -1;
        }
        int first = der[position[0]++] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        if (first != 0x81 || position[0] >= der.length) {
            return -1;
        }
        int length = der[position[0]++] & 0xFF;
        return (length >= 0x80) ? length : -1;
    }
}
