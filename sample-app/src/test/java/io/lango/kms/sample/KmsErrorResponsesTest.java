package io.lango.kms.sample;

import java.security.PublicKey;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.sample.SampleAppClient.Reply;

import static io.lango.kms.sample.SampleAppClient.fields;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP status, problem detail and {@code Retry-After} for each {@link KmsErrorKind}, produced by a
 * {@link CryptoProvider} bean that fails on request: the key id names the kind to throw.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "security.kms.health-cache-ttl=20s")
class KmsErrorResponsesTest {

    @LocalServerPort
    private int port;

    private SampleAppClient client;

    @BeforeEach
    void createClient() {
        this.client = new SampleAppClient("http://127.0.0.1:" + this.port);
    }

    @ParameterizedTest(name = "{0} gives {1}")
    @CsvSource(nullValues = "none", value = {
            "INVALID_INPUT, 400, none",
            "INVALID_CIPHERTEXT, 400, none",
            "INVALID_KEY, 400, none",
            "ACCESS_DENIED, 403, none",
            "KEY_DISABLED, 409, none",
            // The Retry-After of an unavailable KMS is security.kms.health-cache-ttl, set to 20s above.
            "UNAVAILABLE, 503, 20",
            "THROTTLED, 503, 1",
            "INTEGRITY, 503, 1" })
    void kmsErrorKindMapsToStatus(KmsErrorKind kind, int status, String retryAfter) {
        Reply reply = this.client.postJson("/api/encrypt", fields("keyId", kind.name(), "plaintext", "AAEC"));

        assertThat(reply.status()).as("status, body %s", reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
        assertThat(reply.retryAfter()).as("Retry-After").isEqualTo(java.util.Optional.ofNullable(retryAfter));
        assertThat(reply.json().path("status").intValue()).isEqualTo(status);
        assertThat(reply.json().path("kind").asString()).isEqualTo(kind.name());
        assertThat(reply.json().path("provider").asString()).isEqualTo("aws-kms");
        assertThat(reply.json().path("operation").asString()).isEqualTo("encrypt");
        assertThat(reply.json().path("detail").asString()).isEqualTo("kms aws encrypt (key=%s): stand-in failure"
            .formatted(kind.name()));
        SampleAppChecks.assertNoStackTrace(reply);
    }

    @Test
    void unexpectedErrorGives500WithoutInternals() {
        Reply reply = this.client.postJson("/api/encrypt", fields("keyId", "bug", "plaintext", "AAEC"));

        assertThat(reply.status()).isEqualTo(500);
        assertThat(reply.contentType()).hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
        assertThat(reply.body()).doesNotContain("secret internal state").doesNotContain("IllegalStateException");
        assertThat(reply.json().path("detail").asString()).contains("log");
        SampleAppChecks.assertNoStackTrace(reply);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class FailingProviderConfiguration {

        @Bean
        CryptoProvider failingCryptoProvider() {
            return new FailingCryptoProvider();
        }
    }

    /**
     * Throws a {@link KmsException} of the kind named by the key id, or an {@link IllegalStateException} for key id
     * {@code bug}.
     */
    static final class FailingCryptoProvider implements CryptoProvider {

        @Override
        public byte[] encrypt(String keyId, byte[] plaintext) {
            if ("bug".equals(keyId)) {
                throw new IllegalStateException("secret internal state");
            }
            throw new KmsException(KmsProviderName.AWS_KMS, KmsOperations.ENCRYPT, keyId, KmsErrorKind.valueOf(keyId),
                    "stand-in failure");
        }

        @Override
        public byte[] decrypt(String keyId, byte[] ciphertext) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] sign(String keyId, byte[] payload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean verify(String keyId, byte[] payload, byte[] signature) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PublicKey publicKey(String keyId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KmsProviderName providerName() {
            return KmsProviderName.AWS_KMS;
        }
    }
}
