package io.lango.kms.azure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsAutoConfiguration;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.support.KmsHealthChecker;
import io.lango.kms.testsupport.azure.KeyVaultOperation;
import io.lango.kms.testsupport.azure.KeyVaultStandIn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Starts the auto-configured {@link CryptoProvider} with {@code security.kms.provider=azure-kv}, the application's
 * {@link TokenCredential} and {@link HttpClient} beans, and the stand-in as the vault.
 */
class AzureKeyVaultAutoConfigurationTest {

    private static final byte[] PAYLOAD = "auto-configured".getBytes(StandardCharsets.UTF_8);

    private static KeyVaultStandIn standIn;

    /** Key store of the local fallback, which must persist its keys when fallback is enabled. */
    @TempDir
    static Path fallbackKeys;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KmsAutoConfiguration.class))
        .withPropertyValues("security.kms.local.key-store=" + fallbackKeys.resolve("fallback.p12"),
                "security.kms.local.key-store-password=test-password");

    @BeforeAll
    static void startStandIn() throws Exception {
        standIn = KeyVaultStandIn.start();
        standIn.createRsaKey(StandInProviders.ENCRYPTION_KEY, 2048);
        standIn.createEcKey(StandInProviders.SIGNING_KEY, "P-256");
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @Test
    void emptyVaultUrlFailsStartUp() {
        this.contextRunner
            .withPropertyValues("security.kms.provider=azure-kv", "security.kms.key-id=app-encryption",
                    "security.kms.azure.vault-url=")
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(KmsConfigurationException.class)
                    .hasMessage("security.kms.azure.vault-url is required when security.kms.provider=azure-kv.");
            });
    }

    @Test
    void absentSdkFailsStartUpNamingArtifact() {
        this.contextRunner.withClassLoader(new FilteredClassLoader("com.azure.security.keyvault"))
            .withPropertyValues(azureProperties(standIn.vaultUrl()))
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("com.azure:azure-security-keyvault-keys");
            });
    }

    @Test
    void beanRoundTripsThroughKeyVault() {
        TestTokenCredential credential = TestTokenCredential.returningToken();
        this.contextRunner.withBean(TokenCredential.class, () -> credential)
            .withBean(HttpClient.class, AzureKeyVaultAutoConfigurationTest::trustingHttpClient)
            .withPropertyValues(azureProperties(standIn.vaultUrl()))
            .run((context) -> {
                CryptoProvider provider = context.getBean(CryptoProvider.class);
                assertThat(provider).isInstanceOf(CompositeCryptoProvider.class);
                assertThat(provider.providerName()).isEqualTo(KmsProviderName.AZURE_KV);

                byte[] ciphertext = provider.encrypt("", PAYLOAD);
                byte[] signature = provider.sign("", PAYLOAD);

                assertThat(provider.decrypt("", ciphertext)).isEqualTo(PAYLOAD);
                assertThat(provider.verify("", PAYLOAD, signature)).isTrue();
                assertThat(((CompositeCryptoProvider) provider).lastServedBy()).isEqualTo(KmsProviderName.AZURE_KV);
                assertThat(context.getBean(KmsHealthChecker.class).isConnected()).isTrue();
                assertThat(credential.requests()).isPositive();
            });
    }

    @Test
    void unreachableVaultFallsBackToLocalKeys() throws IOException {
        this.contextRunner.withBean(TokenCredential.class, TestTokenCredential::returningToken)
            .withBean(HttpClient.class, AzureKeyVaultAutoConfigurationTest::trustingHttpClient)
            .withPropertyValues(azureProperties("https://127.0.0.1:" + closedPort()))
            .withPropertyValues("security.kms.max-retries=0")
            .run((context) -> {
                CompositeCryptoProvider provider = context.getBean(CompositeCryptoProvider.class);

                byte[] ciphertext = provider.encrypt("", PAYLOAD);

                assertThat(provider.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
                assertThat(provider.decrypt("", ciphertext)).isEqualTo(PAYLOAD);
                assertThat(context.getBean(KmsHealthChecker.class).isConnected()).isFalse();
            });
    }

    @Test
    void credentialFailureOfBeanIsAccessDenied() {
        // Fallback stays on: a credential failure is a refusal, not an outage, so it must never reach local keys.
        TestTokenCredential credential = TestTokenCredential
            .failingWith(new ClientAuthenticationException("tenant not found", null));
        this.contextRunner.withBean(TokenCredential.class, () -> credential)
            .withBean(HttpClient.class, AzureKeyVaultAutoConfigurationTest::trustingHttpClient)
            .withPropertyValues(azureProperties(standIn.vaultUrl()))
            .withPropertyValues("security.kms.fallback-to-local=true", "security.kms.envelope.enabled=false")
            .run((context) -> {
                CompositeCryptoProvider provider = context.getBean(CompositeCryptoProvider.class);
                int encryptRequests = standIn.requestCount(KeyVaultOperation.ENCRYPT);

                assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.encrypt("", PAYLOAD))
                    .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED));
                assertThat(standIn.requestCount(KeyVaultOperation.ENCRYPT)).isEqualTo(encryptRequests);
                assertThat(provider.fallbackOperationCount()).isZero();
                assertThat(context.getBean(KmsHealthChecker.class).isUnreachable()).isFalse();
            });
    }

    private static String[] azureProperties(String vaultUrl) {
        return new String[] { "security.kms.provider=azure-kv", "security.kms.azure.vault-url=" + vaultUrl,
                "security.kms.key-id=" + StandInProviders.ENCRYPTION_KEY,
                "security.kms.signing-key-id=" + StandInProviders.SIGNING_KEY,
                "security.kms.timeout-per-operation=2s" };
    }

    private static HttpClient trustingHttpClient() {
        return StandInProviders.trustingHttpClient(standIn,
                AzureKeyVaultClients.httpClientOptions(Duration.ofSeconds(2)));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
