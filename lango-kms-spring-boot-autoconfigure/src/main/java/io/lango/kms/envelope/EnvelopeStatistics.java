package io.lango.kms.envelope;

/**
 * Counts of KMS calls made and saved by envelope encryption since start-up.
 *
 * @param wrapCalls data keys wrapped by the KMS
 * @param wrapCallsSaved encrypts served by a cached wrapped data key
 * @param unwrapCalls data keys unwrapped by the KMS
 * @param unwrapCallsSaved decrypts served by a cached unwrapped data key
 */
public record EnvelopeStatistics(long wrapCalls, long wrapCallsSaved, long unwrapCalls, long unwrapCallsSaved) {
}
