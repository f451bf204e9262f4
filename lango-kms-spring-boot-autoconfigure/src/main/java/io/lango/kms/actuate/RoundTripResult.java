package io.lango.kms.actuate;

/**
 * Outcome of an encrypt/decrypt round trip of random bytes; it never contains the plaintext.
 *
 * @param result {@code PASS} or {@code FAIL}
 * @param provider provider that served the encrypt, or null when it failed
 * @param plaintextBytes length of the random plaintext
 * @param ciphertextBytes length of the ciphertext, 0 when encrypt failed
 * @param encryptMillis time spent in encrypt
 * @param decryptMillis time spent in decrypt, 0 when it did not run
 * @param error why the round trip failed, or null
 */
public record RoundTripResult(String result, String provider, int plaintextBytes, int ciphertextBytes,
        long encryptMillis, long decryptMillis, String error) {

    /** Value of {@code result} when the decrypted bytes equal the plaintext. */
    public static final String PASS = "PASS";

    /** Value of {@code result} when a step failed or the bytes differ. */
    public static final String FAIL = "FAIL";

    /**
     * Returns true when the round trip passed.
     */
    public boolean passed() {
        return PASS.equals(this.result);
    }
}
