package io.lango.kms.gcp;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;

/**
 * Checks on Cloud KMS responses that Google's data integrity guidelines ask clients to make: the server verified
 * each request checksum, each returned checksum matches the returned data, and the response names the key that
 * was requested.
 *
 * <p>A failed check means the request or response was corrupted in transit, so it raises an
 * {@link KmsErrorKind#INTEGRITY} error, which {@code KmsRetry} retries like a transient failure.
 */
final class GcpIntegrityChecks {

    private final String operation;

    private final GcpKeyName key;

    GcpIntegrityChecks(String operation, GcpKeyName key) {
        this.operation = operation;
        this.key = key;
    }

    /**
     * Requires a {@code verified_*_crc32c} response field to be true; false means the server did not receive or
     * could not verify the request checksum.
     */
    void requireVerified(boolean verified, String field) {
        if (!verified) {
            throw integrity("response field %s is false, so Cloud KMS did not verify the request checksum".formatted(
                    field));
        }
    }

    /**
     * Requires a returned checksum to be present and to match the CRC32C of the returned data.
     */
    void requireCrc32c(boolean present, Int64Value checksum, ByteString data, String field) {
        if (!present) {
            throw integrity("response field %s is missing".formatted(field));
        }
        long computed = Crc32c.of(data);
        if (checksum.getValue() != computed) {
            throw integrity("response field %s is %d but the returned data has CRC32C %d".formatted(field,
                    checksum.getValue(), computed));
        }
    }

    void requireCrc32c(boolean present, Int64Value checksum, String text, String field) {
        requireCrc32c(present, checksum, ByteString.copyFromUtf8(text), field);
    }

    /**
     * Requires the key version named in the response to belong to the requested key.
     */
    void requireKeyVersion(String versionName) {
        if (!this.key.matchesVersionName(versionName)) {
            throw integrity("response names key version '%s', which is not a version of the requested key".formatted(
                    versionName));
        }
    }

    private KmsException integrity(String detail) {
        return new KmsException(KmsProviderName.GCP_KMS, this.operation, this.key.name(), KmsErrorKind.INTEGRITY,
                detail + "; the data was corrupted in transit");
    }
}
