package io.lango.kms.actuate;

import java.security.PublicKey;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.local.LocalKeyStore;
import io.lango.kms.registry.PropertiesKeyRegistry;
import io.lango.kms.support.KmsHealthChecker;

import static org.assertj.core.api.Assertions.assertThat;

class KmsHealthIndicatorTest {

    private final UnreachableKms kms = new UnreachableKms();

    @Test
    void unreachableKmsWithoutFallbackIsDown() {
        Health health = indicator(null).health(true);

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("connection", "disconnected")
            .containsEntry("fallback", false)
            .containsEntry("provider", "aws-kms");
        assertThat((String) health.getDetails().get("error")).contains("connection refused");
    }

    @Test
    void unreachableKmsWithFallbackIsUpServingLocal() {
        LocalCryptoProvider local = new LocalCryptoProvider(LocalKeyStore.load(new KmsProperties(), (name) -> null));

        Health health = indicator(local).health(true);

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("connection", "disconnected")
            .containsEntry("fallback", true)
            .containsEntry("servingFrom", "local");
    }

    private KmsHealthIndicator indicator(CryptoProvider fallback) {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("aws-kms");
        properties.setKeyId("alias/app");
        KmsHealthChecker checker = new KmsHealthChecker(this.kms, Duration.ofSeconds(30), Duration.ofSeconds(1));
        PropertiesKeyRegistry registry = new PropertiesKeyRegistry(properties);
        CompositeCryptoProvider composite = new CompositeCryptoProvider(this.kms, fallback, checker, registry);
        return new KmsHealthIndicator(new KmsDiagnostics(properties, composite, checker, registry));
    }

    /** KMS double whose every call fails as unreachable. */
    private static final class UnreachableKms implements CryptoProvider {

        @Override
        public byte[] sign(String keyId, byte[] payload) {
            throw unreachable("sign", keyId);
        }

        @Override
        public boolean verify(String keyId, byte[] payload, byte[] signature) {
            throw unreachable("verify", keyId);
        }

        @Override
        public byte[] encrypt(String keyId, byte[] plaintext) {
            throw unreachable("encrypt", keyId);
        }

        @Override
        public byte[] decrypt(String keyId, byte[] ciphertext) {
            throw unreachable("decrypt", keyId);
        }

        @Override
        public PublicKey publicKey(String keyId) {
            throw unreachable("public-key", keyId);
        }

        @Override
        public KmsProviderName providerName() {
            return KmsProviderName.AWS_KMS;
        }

        private static KmsException unreachable(String operation, String keyId) {
            return new KmsException(KmsProviderName.AWS_KMS, operation, keyId, KmsErrorKind.UNAVAILABLE,
                    "connection refused");
        }
    }
}
