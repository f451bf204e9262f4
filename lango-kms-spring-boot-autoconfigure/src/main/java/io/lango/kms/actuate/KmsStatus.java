package io.lango.kms.actuate;

import java.time.Instant;

/**
 * State of the KMS configuration and connection, as reported by the endpoint and the CLI; no secrets.
 *
 * @param provider configured backend, for example aws-kms
 * @param keyId default encryption key id
 * @param signingKeyId default signing key id
 * @param region configured region, or null
 * @param fallbackEnabled whether encrypt and sign fall back to local keys while the KMS is unreachable
 * @param connection {@code connected} or {@code disconnected}, from the health checker's cached probe
 * @param lastProbe when the last health probe started
 * @param lastError why the last probe failed, or null
 * @param servedBy provider that served the last operation, or null before the first
 * @param fallbackOperations operations served by the fallback since start-up
 */
public record KmsStatus(String provider, String keyId, String signingKeyId, String region, boolean fallbackEnabled,
        String connection, Instant lastProbe, String lastError, String servedBy, long fallbackOperations) {
}
