package io.lango.kms.testsupport.gcp;

/**
 * Ways the stand-in can corrupt one response, to exercise the client's CRC32C and key name checks.
 */
public enum GcpKmsCorruption {

    /** Encrypt returns a {@code ciphertext_crc32c} that does not match the ciphertext. */
    CIPHERTEXT_CRC32C(GcpKmsMethod.ENCRYPT),

    /** Encrypt flips one ciphertext byte after computing {@code ciphertext_crc32c}, as a corruption in transit. */
    CIPHERTEXT_BYTE(GcpKmsMethod.ENCRYPT),

    /** Encrypt reports {@code verified_plaintext_crc32c=false}, as if the request checksum never arrived. */
    UNVERIFIED_PLAINTEXT_CRC32C(GcpKmsMethod.ENCRYPT),

    /** Encrypt reports {@code verified_additional_authenticated_data_crc32c=false}. */
    UNVERIFIED_AAD_CRC32C(GcpKmsMethod.ENCRYPT),

    /** Encrypt names a key version of another CryptoKey in its response. */
    ENCRYPT_KEY_NAME(GcpKmsMethod.ENCRYPT),

    /** Decrypt returns a {@code plaintext_crc32c} that does not match the plaintext. */
    PLAINTEXT_CRC32C(GcpKmsMethod.DECRYPT),

    /** AsymmetricSign reports {@code verified_digest_crc32c=false}. */
    UNVERIFIED_DIGEST_CRC32C(GcpKmsMethod.ASYMMETRIC_SIGN),

    /** AsymmetricSign returns a {@code signature_crc32c} that does not match the signature. */
    SIGNATURE_CRC32C(GcpKmsMethod.ASYMMETRIC_SIGN),

    /** AsymmetricSign names another key version in its response. */
    SIGN_KEY_NAME(GcpKmsMethod.ASYMMETRIC_SIGN),

    /** GetPublicKey returns a {@code pem_crc32c} that does not match the PEM text. */
    PEM_CRC32C(GcpKmsMethod.GET_PUBLIC_KEY);

    private final GcpKmsMethod method;

    GcpKmsCorruption(GcpKmsMethod method) {
        this.method = method;
    }

    /**
     * Returns the method whose response this corruption changes.
     */
    public GcpKmsMethod method() {
        return this.method;
    }
}
