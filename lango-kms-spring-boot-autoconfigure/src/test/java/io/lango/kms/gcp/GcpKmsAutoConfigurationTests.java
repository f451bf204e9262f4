package io.lango.kms.gcp;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.actuate.KmsHealthIndicator;
import io.lango.kms.autoconfigure.KmsAutoConfiguration;
import io.lango.kms.autoconfigure.KmsBackends;
import io.lango.kms.autoconfigure.KmsHealthAutoConfiguration;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.support.KmsHealthChecker;
import io.lango.kms.testsupport.gcp.GcpKmsMethod;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

import static io.lango.kms.gcp.GcpTestSupport.ENCRYPTION_KEY;
import static io.lango.kms.gcp.GcpTestSupport.SIGNING_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The GCP backend wired by the auto-configuration: the composite with local fallback, the health checker and
 * indicator, the credentials bean, and start-up failures, all against the stand-in.
 */
class GcpKmsAutoConfigurationTests {

    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    private static GcpKmsStandIn standIn;

    /** Key store of the local fallback, which must persist its keys when fallback is enabled. */
    @TempDir
    static Path fallbackKeys;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KmsAutoConfiguration.class, KmsHealthAutoConfiguration.class))
        .withPropertyValues("security.kms.local.key-store=" + fallbackKeys.resolve("fallback.p12"),
                "security.kms.local.key-store-password=test-password");

    @BeforeAll
    static void startStandIn() {
        standIn = GcpKmsStandIn.start();
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @BeforeEach
    void resetStandIn() {
        standIn.clearFaults();
        standIn.resetCounters();
    }

    @Test
    void gcpProviderServesThroughComposite() {
        this.contextRunner.withPropertyValues(gcpProperties(standIn)).run((context) -> {
            CryptoProvider provider = context.getBean(CryptoProvider.class);
            assertThat(provider).isInstanceOf(CompositeCryptoProvider.class);
            assertThat(provider.providerName()).isEqualTo(KmsProviderName.GCP_KMS);
            assertThat(context.getBean(KmsBackends.class).primary().unwrap()).isInstanceOf(GcpKmsCryptoProvider.class);

            byte[] ciphertext = provider.encrypt("default", PAYLOAD);
            assertThat(provider.decrypt("default", ciphertext)).isEqualTo(PAYLOAD);
            assertThat(((CompositeCryptoProvider) provider).lastServedBy()).isEqualTo(KmsProviderName.GCP_KMS);

            byte[] signature = provider.sign("default", PAYLOAD);
            assertThat(provider.verify("default", PAYLOAD, signature)).isTrue();
            assertThat(context.getBean(KmsHealthChecker.class).isConnected()).isTrue();
        });
    }

    @Test
    void namedKeysReachTheirCryptoKeys() {
        String ordersKey = standIn.createEncryptionKey(GcpTestSupport.KEY_RING + "/cryptoKeys/orders");
        this.contextRunner
            .withPropertyValues(gcpProperties(standIn))
            .withPropertyValues("security.kms.keys[0].name=orders", "security.kms.keys[0].remote-key-id=" + ordersKey)
            .run((context) -> {
                CryptoProvider provider = context.getBean(CryptoProvider.class);
                byte[] ciphertext = provider.encrypt("orders", PAYLOAD);

                assertThat(((EncryptRequest) standIn.lastRequest(GcpKmsMethod.ENCRYPT)).getName()).isEqualTo(ordersKey);
                assertThat(provider.decrypt("orders", ciphertext)).isEqualTo(PAYLOAD);
                assertThat(((DecryptRequest) standIn.lastRequest(GcpKmsMethod.DECRYPT)).getName()).isEqualTo(ordersKey);
            });
    }

    @Test
    void envelopeSendsOnlyDataKeyToKms() {
        byte[] largePayload = new byte[1024 * 1024];
        Arrays.fill(largePayload, (byte) 'x');
        this.contextRunner.withPropertyValues(gcpProperties(standIn)).run((context) -> {
            CryptoProvider provider = context.getBean(CryptoProvider.class);

            byte[] ciphertext = provider.encrypt("default", largePayload);

            // With envelope encryption, the default, Cloud KMS wraps a 32-byte AES-256 data key, not the payload.
            EncryptRequest request = (EncryptRequest) standIn.lastRequest(GcpKmsMethod.ENCRYPT);
            assertThat(request.getPlaintext().size()).isEqualTo(32);
            assertThat(provider.decrypt("default", ciphertext)).isEqualTo(largePayload);
        });
    }

    @Test
    void directEncryptionKeepsKmsSizeLimit() {
        this.contextRunner.withPropertyValues(gcpProperties(standIn))
            .withPropertyValues("security.kms.envelope.enabled=false")
            .run((context) -> {
                CryptoProvider provider = context.getBean(CryptoProvider.class);
                byte[] ciphertext = provider.encrypt("default", PAYLOAD);

                assertThat(((EncryptRequest) standIn.lastRequest(GcpKmsMethod.ENCRYPT)).getPlaintext().toByteArray())
                    .isEqualTo(PAYLOAD);
                assertThat(provider.decrypt("default", ciphertext)).isEqualTo(PAYLOAD);
                assertThatExceptionOfType(KmsException.class)
                    .isThrownBy(() -> provider.encrypt("default", new byte[64 * 1024 + 1]))
                    .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
            });
    }

    @Test
    void credentialsProviderBeanReachesClient() {
        CredentialsProvider credentials = FixedCredentialsProvider.create(new TestCredentials(null));
        this.contextRunner.withPropertyValues(gcpProperties(standIn))
            .withBean(CredentialsProvider.class, () -> credentials)
            .run((context) -> {
                context.getBean(CryptoProvider.class).encrypt("default", PAYLOAD);

                assertThat(standIn.lastAuthorization()).contains("Bearer " + TestCredentials.TOKEN);
            });
    }

    @Test
    void signingKeyWithoutVersionFailsStartUp() {
        this.contextRunner.withPropertyValues(gcpProperties(standIn))
            .withPropertyValues("security.kms.signing-key-id=" + SIGNING_KEY)
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(KmsConfigurationException.class)
                    .hasMessageContaining("names a CryptoKey without a version, but a version is required");
            });
    }

    @Test
    void missingSdkFailsStartUpNamingArtifact() {
        this.contextRunner.withPropertyValues(gcpProperties(standIn))
            .withClassLoader(new FilteredClassLoader(KeyManagementServiceClient.class))
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(KmsConfigurationException.class)
                    .hasMessageContaining("com.google.cloud:google-cloud-kms");
                KmsConfigurationException failure = (KmsConfigurationException) rootCause(context.getStartupFailure());
                assertThat(failure.getAction()).contains("kms-gcp");
            });
    }

    @Test
    void disabledKeyVersionIsNotBypassed() {
        String version = standIn.createSigningKey(GcpTestSupport.KEY_RING + "/cryptoKeys/revoked");
        standIn.disableKeyVersion(version);
        this.contextRunner.withPropertyValues(gcpProperties(standIn))
            .withPropertyValues("security.kms.signing-key-id=" + version)
            .run((context) -> {
                CompositeCryptoProvider provider = (CompositeCryptoProvider) context.getBean(CryptoProvider.class);

                assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.sign("default", PAYLOAD))
                    .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.KEY_DISABLED));
                assertThat(provider.fallbackOperationCount()).isZero();
            });
    }

    @Test
    void unreachableKmsFallsBackToLocalKeys() {
        GcpKmsStandIn outage = GcpKmsStandIn.start();
        int port = outage.port();
        this.contextRunner.withPropertyValues(gcpProperties(outage)).run((context) -> {
            CompositeCryptoProvider provider = (CompositeCryptoProvider) context.getBean(CryptoProvider.class);
            KmsHealthIndicator indicator = context.getBean(KmsHealthIndicator.class);
            byte[] gcpCiphertext = provider.encrypt("default", PAYLOAD);
            assertThat(indicator.health(true).getDetails()).containsEntry("connection", "connected");

            outage.close();
            Health down = indicator.health(true);
            byte[] localCiphertext = provider.encrypt("default", PAYLOAD);

            assertThat(down.getStatus()).isEqualTo(Status.UP);
            assertThat(down.getDetails()).containsEntry("connection", "disconnected")
                .containsEntry("servingFrom", "local");
            assertThat(provider.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
            assertThat(provider.fallbackOperationCount()).isEqualTo(1);
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.decrypt("default", gcpCiphertext))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE))
                .withMessageContaining("gcp-kms");

            try (GcpKmsStandIn restarted = GcpKmsStandIn.start(port)) {
                restarted.createEncryptionKey(ENCRYPTION_KEY);
                // gRPC reconnects with exponential backoff starting at 1 s, so recovery is awaited, not immediate.
                await().atMost(Duration.ofSeconds(20))
                    .until(() -> context.getBean(KmsHealthChecker.class).isConnected());
                byte[] afterRecovery = provider.encrypt("default", PAYLOAD);

                assertThat(provider.lastServedBy()).isEqualTo(KmsProviderName.GCP_KMS);
                assertThat(provider.decrypt("default", afterRecovery)).isEqualTo(PAYLOAD);
                assertThat(provider.decrypt("default", localCiphertext)).isEqualTo(PAYLOAD);
            }
        });
    }

    @Test
    void healthIsDownWhenUnreachableWithoutFallback() {
        GcpKmsStandIn outage = GcpKmsStandIn.start();
        this.contextRunner.withPropertyValues(gcpProperties(outage))
            .withPropertyValues("security.kms.fallback-to-local=false")
            .run((context) -> {
                KmsHealthIndicator indicator = context.getBean(KmsHealthIndicator.class);
                assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);

                outage.close();
                Health down = indicator.health(true);

                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(down.getDetails()).containsEntry("provider", "gcp-kms")
                    .containsEntry("connection", "disconnected")
                    .containsKey("error");
            });
    }

    /**
     * Returns the properties that select the GCP backend on {@code server}, whose keys this method creates. The
     * health result is not cached, so each health read probes the server.
     */
    private static String[] gcpProperties(GcpKmsStandIn server) {
        server.createEncryptionKey(ENCRYPTION_KEY);
        String version = server.createSigningKey(SIGNING_KEY);
        return new String[] { "security.kms.provider=gcp-kms", "security.kms.endpoint=" + server.endpoint(),
                "security.kms.key-id=" + ENCRYPTION_KEY, "security.kms.signing-key-id=" + version,
                "security.kms.timeout-per-operation=2s", "security.kms.health-cache-ttl=0s",
                "security.kms.max-retries=1" };
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
