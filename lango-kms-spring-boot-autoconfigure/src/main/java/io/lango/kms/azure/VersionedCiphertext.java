package io.lango.kms.azure;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Ciphertext of the Azure provider: the length of the key version (one byte), the version in ASCII, then the
 * RSA-OAEP ciphertext. Carrying the version ties ciphertext to the key version that made it, so it still decrypts
 * after the key is rotated and the application restarts.
 *
 * @param version the Key Vault key version that encrypted
 * @param rsaCiphertext the RSA-OAEP ciphertext
 */
record VersionedCiphertext(String version, byte[] rsaCiphertext) {

    /** Key Vault versions are at most 64 characters here, see {@link KeyReference}. */
    private static final int MAX_VERSION_LENGTH = 64;

    /**
     * Returns the encoded form: version length, version, RSA-OAEP ciphertext.
     */
    byte[] encode() {
        byte[] versionBytes = this.version.getBytes(StandardCharsets.US_ASCII);
        byte[] output = new byte[1 + versionBytes.length + this.rsaCiphertext.length];
        output[0] = (byte) versionBytes.length;
        System.arraycopy(versionBytes, 0, output, 1, versionBytes.length);
        System.arraycopy(this.rsaCiphertext, 0, output, 1 + versionBytes.length, this.rsaCiphertext.length);
        return output;
    }

    /**
     * Splits encoded ciphertext, or throws {@link IllegalArgumentException} saying what is malformed.
     */
    static VersionedCiphertext decode(byte[] ciphertext) {
        if (ciphertext.length < 2) {
            throw new IllegalArgumentException("ciphertext is %d bytes, too short to name a key version"
                .formatted(ciphertext.length));
        }
        int length = Byte.toUnsignedInt(ciphertext[0]);
        if (length < 1 || length > MAX_VERSION_LENGTH || ciphertext.length <= 1 + length) {
            throw new IllegalArgumentException("ciphertext does not start with a key version of 1 to %d characters"
                .formatted(MAX_VERSION_LENGTH));
        }
        String version = new String(ciphertext, 1, length, StandardCharsets.US_ASCII);
        if (!KeyReference.isValidVersion(version)) {
            throw new IllegalArgumentException("ciphertext names an invalid key version");
        }
        return new VersionedCiphertext(version, Arrays.copyOfRange(ciphertext, 1 + length, ciphertext.length));
    }
}
