package io.lango.kms.actuate;

import java.util.Objects;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health indicator {@code kms}: UP while the KMS passes its probe or the local fallback serves, DOWN when the
 * KMS is unreachable and fallback is disabled. It reads the health checker's cached probe, so health requests do
 * not multiply KMS calls.
 */
public class KmsHealthIndicator extends AbstractHealthIndicator {

    private final KmsDiagnostics diagnostics;

    public KmsHealthIndicator(KmsDiagnostics diagnostics) {
        super("KMS health check failed");
        this.diagnostics = Objects.requireNonNull(diagnostics, "diagnostics");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        KmsStatus status = this.diagnostics.status();
        boolean connected = "connected".equals(status.connection());
        if (connected || status.fallbackEnabled()) {
            builder.up();
        }
        else {
            builder.down();
        }
        builder.withDetail("provider", status.provider())
            // Without security.kms.key-id the provider uses its default key, which the key id "default" names.
            .withDetail("keyId", (status.keyId() != null) ? status.keyId() : "default")
            .withDetail("fallback", status.fallbackEnabled())
            .withDetail("connection", status.connection())
            .withDetail("servingFrom", connected || !status.fallbackEnabled() ? status.provider() : "local")
            .withDetail("lastProbe", String.valueOf(status.lastProbe()));
        if (status.lastError() != null) {
            builder.withDetail("error", status.lastError());
        }
    }
}
