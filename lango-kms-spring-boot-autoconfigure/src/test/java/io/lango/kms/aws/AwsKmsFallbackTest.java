package io.lango.kms.aws;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.actuate.KmsHealthIndicator;
import io.lango.kms.autoconfigure.KmsAutoConfiguration;
import io.lango.kms.autoconfigure.KmsBackends;
import io.lango.kms.autoconfigure.KmsHealthAutoConfiguration;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.envelope.EnvelopeFormat;
import io.lango.kms.support.KmsHealthChecker;
import io.lango.kms.testsupport.aws.MotoServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The auto-configured AWS KMS provider with fallback to local keys while moto is stopped and after it is back. The
 * health checker's clock is a test clock, so the cache time to live passes without waiting.
 */
class AwsKmsFallbackTest {

    @RegisterExtension
    static final MotoServerExtension moto = new MotoServerExtension();

    private static final Duration HEALTH_CACHE_TTL = Duration.ofSeconds(30);

    private static final byte[] PAYLOAD = "pay 10 EUR to shop 7".getBytes(StandardCharsets.UTF_8);

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

    /** Key store of the local fallback, which must persist its keys when fallback is enabled. */
    @TempDir
    static Path fallbackKeys;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KmsAutoConfiguration.class, KmsHealthAutoConfiguration.class))
        .withPropertyValues("security.kms.local.key-store=" + fallbackKeys.resolve("fallback.p12"),
                "security.kms.local.key-store-password=test-password")
        .withUserConfiguration(TestClockHealthChecker.class)
        .withBean(TestClock.class, () -> this.clock)
        .withBean(AwsCredentialsProvider.class, () -> AwsTestClients.TEST_CREDENTIALS)
        .withPropertyValues("security.kms.provider=aws-kms", "security.kms.region=us-east-1",
                "security.kms.key-id=alias/app", "security.kms.signing-key-id=alias/signer",
                "security.kms.fallback-to-local=true", "security.kms.max-retries=1",
                "security.kms.timeout-per-operation=2s",
                "security.kms.health-cache-ttl=" + HEALTH_CACHE_TTL.toSeconds() + "s");

    @Test
    void outageFallsBackAndRecovers() {
        createKeys();
        this.contextRunner.withPropertyValues("security.kms.endpoint=" + moto.endpoint()).run((context) -> {
            CompositeCryptoProvider crypto = (CompositeCryptoProvider) context.getBean(CryptoProvider.class);
            KmsHealthIndicator health = context.getBean(KmsHealthIndicator.class);

            // moto running: operations go to AWS KMS.
            assertHealth(health, "connected", "aws-kms");
            byte[] kmsCiphertext = crypto.encrypt("", PAYLOAD);
            assertThat(crypto.lastServedBy()).isEqualTo(KmsProviderName.AWS_KMS);
            assertThat(crypto.isEnvelopeEnabled()).as("envelope mode, the default").isTrue();
            assertThat(EnvelopeFormat.isEnvelope(kmsCiphertext)).isTrue();
            assertThat(crypto.decrypt("", kmsCiphertext)).isEqualTo(PAYLOAD);

            // moto stopped, health result still cached: encrypt fails over on the UNAVAILABLE error.
            moto.server().stop();
            byte[] firstLocalCiphertext = crypto.encrypt("", PAYLOAD);
            assertThat(crypto.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
            assertThat(EnvelopeFormat.parse(firstLocalCiphertext, KmsProviderName.AWS_KMS, "").provider())
                .as("envelope header of fallback ciphertext").isEqualTo(KmsProviderName.LOCAL);
            assertHealth(health, "connected", "aws-kms");

            // Cache expired: the probe fails, health reports it, and the fallback serves without trying AWS first.
            this.clock.advance(HEALTH_CACHE_TTL);
            assertHealth(health, "disconnected", "local");
            byte[] localCiphertext = crypto.encrypt("", PAYLOAD);
            byte[] localSignature = crypto.sign("", PAYLOAD);
            assertThat(crypto.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
            assertThat(crypto.fallbackOperationCount()).isEqualTo(3);
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> crypto.decrypt("", kmsCiphertext))
                .satisfies((ex) -> {
                    assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
                    assertThat(ex.getProvider()).isEqualTo(KmsProviderName.AWS_KMS);
                    assertThat(ex.getMessage()).contains("local keys cannot decrypt it");
                });

            // moto back with new keys under the same aliases: once the cache expires, AWS KMS serves again.
            moto.server().restart();
            createKeys();
            assertHealth(health, "disconnected", "local");
            this.clock.advance(HEALTH_CACHE_TTL);
            assertHealth(health, "connected", "aws-kms");
            assertThat(crypto.decrypt("", firstLocalCiphertext)).isEqualTo(PAYLOAD);
            assertThat(crypto.decrypt("", localCiphertext)).isEqualTo(PAYLOAD);
            assertThat(crypto.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
            byte[] newKmsCiphertext = crypto.encrypt("", PAYLOAD);
            assertThat(crypto.lastServedBy()).isEqualTo(KmsProviderName.AWS_KMS);
            assertThat(crypto.decrypt("", newKmsCiphertext)).isEqualTo(PAYLOAD);
            assertThat(localSignature).isNotEmpty();
        });
    }

    @Test
    void disabledFallbackReportsHealthDown() {
        createKeys();
        this.contextRunner
            .withPropertyValues("security.kms.endpoint=" + moto.endpoint(), "security.kms.fallback-to-local=false")
            .run((context) -> {
                CryptoProvider crypto = context.getBean(CryptoProvider.class);
                KmsHealthIndicator health = context.getBean(KmsHealthIndicator.class);
                assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);

                moto.server().stop();
                this.clock.advance(HEALTH_CACHE_TTL);

                Health down = health.health(true);
                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(down.getDetails()).containsEntry("connection", "disconnected");
                assertThat(String.valueOf(down.getDetails().get("error"))).contains("kms aws encrypt");
                assertThatExceptionOfType(KmsException.class).isThrownBy(() -> crypto.encrypt("", PAYLOAD))
                    .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
            });
    }

    private static void createKeys() {
        try (KmsClient admin = AwsTestClients.adminClient(moto.endpoint(), AwsTestClients.REGION)) {
            String encryptionKey = admin.createKey((request) -> request.description("app")).keyMetadata().keyId();
            String signingKey = admin
                .createKey((request) -> request.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
                .keyMetadata()
                .keyId();
            admin.createAlias((request) -> request.aliasName("alias/app").targetKeyId(encryptionKey));
            admin.createAlias((request) -> request.aliasName("alias/signer").targetKeyId(signingKey));
        }
    }

    private static void assertHealth(KmsHealthIndicator indicator, String connection, String servingFrom) {
        Health health = indicator.health(true);
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("provider", "aws-kms")
            .containsEntry("fallback", true)
            .containsEntry("connection", connection)
            .containsEntry("servingFrom", servingFrom);
    }

    /**
     * Replaces the auto-configured health checker with one on the test clock.
     */
    @Configuration(proxyBeanMethods = false)
    static class TestClockHealthChecker {

        @Bean
        KmsHealthChecker kmsHealthChecker(KmsBackends backends, KmsProperties properties, TestClock clock) {
            return new KmsHealthChecker(backends.primary().unwrap(), properties.getHealthCacheTtl(),
                    properties.getTimeoutPerOperation(), clock);
        }
    }

    /**
     * Clock that moves only when a test advances it.
     */
    static final class TestClock extends Clock {

        private volatile Instant now;

        TestClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            this.now = this.now.plus(duration);
        }

        @Override
        public Instant instant() {
            return this.now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
