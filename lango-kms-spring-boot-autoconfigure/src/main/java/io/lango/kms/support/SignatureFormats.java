package io.lango.kms.support;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Converts ECDSA signatures between the IEEE P1363 form and the DER form.
 *
 * <p>P1363 (used by Azure Key Vault, JSON Web Signatures and PKCS#11 {@code CKM_ECDSA}) is {@code r || s}, each an
 * unsigned big-endian integer padded with leading zeros to the byte length of the curve order: 32 bytes for P-256.
 * DER (used by JCA {@code SHA256withECDSA}, AWS KMS and Google Cloud KMS) is
 * {@code SEQUENCE { INTEGER r, INTEGER s }} from RFC 3279, section 2.2.3, where each INTEGER is in its shortest
 * two's complement form: leading zero bytes are dropped, and one zero byte is added when the high bit is set.
 */
public final class SignatureFormats {

    /** Byte length of r and s for P-256. */
    public static final int P256_COMPONENT_LENGTH = 32;

    private static final int SEQUENCE = 0x30;

    private static final int INTEGER = 0x02;

    private SignatureFormats() {
    }

    /**
     * Converts a P1363 signature ({@code r || s}, two halves of equal length) to DER.
     *
     * @throws IllegalArgumentException if the signature is empty or its length is odd
     */
    public static byte[] p1363ToDer(byte[] p1363) {
        if (p1363 == null || p1363.length == 0 || p1363.length % 2 != 0) {
            throw new IllegalArgumentException("A P1363 signature has two halves of equal length, but it is %s"
                .formatted((p1363 == null) ? "null" : p1363.length + " bytes"));
        }
        int half = p1363.length / 2;
        byte[] r = derInteger(Arrays.copyOfRange(p1363, 0, half));
        byte[] s = derInteger(Arrays.copyOfRange(p1363, half, p1363.length));

        ByteArrayOutputStream out = new ByteArrayOutputStream(r.length + s.length + 4);
        out.write(SEQUENCE);
        writeLength(out, r.length + s.length);
        out.writeBytes(r);
        out.writeBytes(s);
        return out.toByteArray();
    }

    /**
     * Converts a DER signature to P1363, padding r and s to {@code componentLength} bytes each (32 for P-256).
     *
     * @throws IllegalArgumentException if the input is not a strict DER {@code SEQUENCE} of two positive INTEGERs,
     * or r or s does not fit in {@code componentLength} bytes
     */
    public static byte[] derToP1363(byte[] der, int componentLength) {
        if (der == null) {
            throw new IllegalArgumentException("The DER signature is null");
        }
        if (componentLength < 1) {
            throw new IllegalArgumentException("componentLength must be 1 or more, but was " + componentLength);
        }
        DerReader reader = new DerReader(der);
        int sequenceEnd = reader.readHeader(SEQUENCE);
        if (sequenceEnd != der.length) {
            throw new IllegalArgumentException("The DER signature has %d bytes after its SEQUENCE"
                .formatted(der.length - sequenceEnd));
        }
        byte[] r = reader.readPositiveInteger("r");
        byte[] s = reader.readPositiveInteger("s");
        if (reader.position() != sequenceEnd) {
            throw new IllegalArgumentException("The DER signature's SEQUENCE contains more than r and s");
        }

        byte[] p1363 = new byte[componentLength * 2];
        copyRightAligned(r, p1363, 0, componentLength, "r");
        copyRightAligned(s, p1363, componentLength, componentLength, "s");
        return p1363;
    }

    /** Encodes an unsigned big-endian value as a minimal DER INTEGER, tag and length included. */
    private static byte[] derInteger(byte[] unsigned) {
        int start = 0;
        while (start < unsigned.length - 1 && unsigned[start] == 0) {
            start++;
        }
        boolean pad = (unsigned[start] & 0x80) != 0;
        int contentLength = unsigned.length - start + (pad ? 1 : 0);

        ByteArrayOutputStream out = new ByteArrayOutputStream(contentLength + 3);
        out.write(INTEGER);
        writeLength(out, contentLength);
        if (pad) {
            out.write(0);
        }
        out.write(unsigned, start, unsigned.length - start);
        return out.toByteArray();
    }

    /** Writes a DER length: one byte below 128, else 0x81 or 0x82 followed by the length. */
    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        }
        else if (length <= 0xFF) {
            out.write(0x81);
            out.write(length);
        }
        else {
            out.write(0x82);
            out.write(length >>> 8);
            out.write(length & 0xFF);
        }
    }

    private static void copyRightAligned(byte[] value, byte[] target, int offset, int length, String name) {
        if (value.length > length) {
            throw new IllegalArgumentException("The signature's %s is %d bytes, longer than the %d-byte component"
                .formatted(name, value.length, length));
        }
        System.arraycopy(value, 0, target, offset + length - value.length, value.length);
    }

    /**
     * Reads DER elements from a byte array, rejecting any encoding that is not the shortest one.
     */
    private static final class DerReader {

        private final byte[] der;

        private int position;

        DerReader(byte[] der) {
            this.der = der;
        }

        int position() {
            return this.position;
        }

        /** Reads a tag and length and returns the end offset of the element's content. */
        int readHeader(int expectedTag) {
            int tag = readByte();
            if (tag != expectedTag) {
                throw new IllegalArgumentException("Expected DER tag 0x%02x at offset %d, but found 0x%02x"
                    .formatted(expectedTag, this.position - 1, tag));
            }
            int length = readLength();
            if (length > this.der.length - this.position) {
                throw new IllegalArgumentException("A DER length of %d bytes runs past the end of the signature"
                    .formatted(length));
            }
            return this.position + length;
        }

        /** Reads an INTEGER and returns its magnitude without the sign byte. */
        byte[] readPositiveInteger(String name) {
            int end = readHeader(INTEGER);
            int length = end - this.position;
            if (length == 0) {
                throw new IllegalArgumentException("The signature's %s is an empty INTEGER".formatted(name));
            }
            byte first = this.der[this.position];
            if ((first & 0x80) != 0) {
                throw new IllegalArgumentException("The signature's %s is negative".formatted(name));
            }
            if (first == 0 && length > 1 && (this.der[this.position + 1] & 0x80) == 0) {
                throw new IllegalArgumentException("The signature's %s has a leading zero byte that DER forbids"
                    .formatted(name));
            }
            int start = (first == 0 && length > 1) ? this.position + 1 : this.position;
            byte[] magnitude = Arrays.copyOfRange(this.der, start, end);
            this.position = end;
            return magnitude;
        }

        private int readLength() {
            int first = readByte();
            if (first < 0x80) {
                return first;
            }
            int count = first & 0x7F;
            if (count == 0 || count > 2) {
                throw new IllegalArgumentException("Unsupported DER length form 0x%02x".formatted(first));
            }
            int length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | readByte();
            }
            if (length < 0x80 || (count == 2 && length <= 0xFF)) {
                throw new IllegalArgumentException("The DER length %d is not in its shortest form".formatted(length));
            }
            return length;
        }

        private int readByte() {
            if (this.position >= this.der.length) {
                throw new IllegalArgumentException("The DER signature ends early, at offset " + this.position);
            }
            return this.der[this.position++] & 0xFF;
        }
    }
}
