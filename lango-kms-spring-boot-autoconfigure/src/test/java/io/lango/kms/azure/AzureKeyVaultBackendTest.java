package io.lango.kms.azure;

import java.time.Duration;

import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.util.HttpClientOptions;
import org.junit.jupiter.api.Test;

import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsProviderContext;
import io.lango.kms.support.KmsProviderFactory;
import io.lango.kms.support.RetryingCryptoProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the start-up checks of {@link AzureKeyVaultBackend} and its wiring through {@link KmsProviderFactory}.
 * None of these tests lets the backend build {@code DefaultAzureCredential}: every context carries a test
 * credential.
 */
class AzureKeyVaultBackendTest {

    private static final String VAULT_URL = "https://lango-test.vault.azure.net";

    @Test
    void emptyVaultUrlFailsWithRequiredMessage() {
        KmsProperties properties = validProperties();
        properties.getAzure().setVaultUrl("");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessage("security.kms.azure.vault-url is required when security.kms.provider=azure-kv.")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.azure.vault-url"))
            .satisfies((ex) -> assertThat(ex.getAction()).contains("https://my-vault.vault.azure.net"));
    }

    @Test
    void blankVaultUrlFailsWithRequiredMessage() {
        KmsProperties properties = validProperties();
        properties.getAzure().setVaultUrl("   ");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("is required");
    }

    @Test
    void plainHttpVaultUrlIsRejected() {
        KmsProperties properties = validProperties();
        properties.getAzure().setVaultUrl("http://lango-test.vault.azure.net");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("must start with https://")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.azure.vault-url"));
    }

    @Test
    void vaultUrlWithPathIsRejected() {
        KmsProperties properties = validProperties();
        properties.getAzure().setVaultUrl(VAULT_URL + "/keys/app-encryption");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("without a path or query");
    }

    @Test
    void trailingSlashOfVaultUrlIsDropped() {
        KmsProperties properties = validProperties();
        properties.getAzure().setVaultUrl(VAULT_URL + "/");

        AzureKeyVaultCryptoProvider provider = (AzureKeyVaultCryptoProvider) create(properties).unwrap();

        assertThat(provider.vaultUrl()).isEqualTo(VAULT_URL);
    }

    @Test
    void missingKeyIdFailsStartUp() {
        KmsProperties properties = validProperties();
        properties.setKeyId(null);

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessage("security.kms.key-id is required when security.kms.provider=azure-kv.")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.key-id"));
    }

    @Test
    void invalidKeyNameFailsStartUp() {
        KmsProperties properties = validProperties();
        properties.setSigningKeyId("app_signing");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("'app_signing' is not a valid Key Vault key name")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.signing-key-id"));
    }

    @Test
    void keyIdentifierOfOtherVaultFailsStartUp() {
        KmsProperties properties = validProperties();
        properties.setKeyId("https://other.vault.azure.net/keys/app-encryption");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("names another vault")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.key-id"));
    }

    @Test
    void invalidKeyVersionFailsStartUp() {
        KmsProperties properties = validProperties();
        properties.getAzure().setKeyVersion("not/a/version");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("is not a valid key version")
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.azure.key-version"));
    }

    @Test
    void keyVersionConflictFailsStartUp() {
        KmsProperties properties = validProperties();
        properties.setKeyId("app-encryption/0123456789abcdef0123456789abcdef");
        properties.getAzure().setKeyVersion("fedcba9876543210fedcba9876543210");

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .withMessageContaining("conflicts with the version '0123456789abcdef0123456789abcdef'");
    }

    @Test
    void nonPositiveTimeoutFailsStartUp() {
        KmsProperties properties = validProperties();
        properties.setTimeoutPerOperation(Duration.ZERO);

        assertThatExceptionOfType(KmsConfigurationException.class).isThrownBy(() -> create(properties))
            .satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("security.kms.timeout-per-operation"));
    }

    @Test
    void factoryWrapsAzureProviderWithRetry() {
        RetryingCryptoProvider provider = create(validProperties());

        assertThat(provider.providerName()).isEqualTo(KmsProviderName.AZURE_KV);
        assertThat(provider.unwrap()).isInstanceOf(AzureKeyVaultCryptoProvider.class);
    }

    @Test
    void defaultHttpClientUsesTimeoutForEveryPhase() {
        HttpClientOptions options = AzureKeyVaultClients.httpClientOptions(Duration.ofMillis(1500));

        assertThat(options.getConnectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.getWriteTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.getResponseTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.getReadTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void loopbackVaultIsRecognized() {
        assertThat(settings("https://127.0.0.1:8443").isLoopbackVault()).isTrue();
        assertThat(settings("https://localhost:8443").isLoopbackVault()).isTrue();
        assertThat(settings("https://[::1]:8443").isLoopbackVault()).isTrue();
        assertThat(settings(VAULT_URL).isLoopbackVault()).isFalse();
        assertThat(settings("https://127.0.0.1.example.com").isLoopbackVault()).isFalse();
    }

    @Test
    void keyVersionPinsSharedSigningKeyOnly() {
        KmsProperties properties = validProperties();
        properties.getAzure().setKeyVersion("0123456789abcdef0123456789abcdef");

        AzureKeyVaultSettings separate = AzureKeyVaultSettings.from(properties);
        properties.setSigningKeyId(null);
        AzureKeyVaultSettings shared = AzureKeyVaultSettings.from(properties);

        assertThat(separate.encryptionKey()).hasToString("app-encryption/0123456789abcdef0123456789abcdef");
        assertThat(separate.signingKey()).hasToString("app-signing");
        assertThat(shared.signingKey()).isEqualTo(shared.encryptionKey());
    }

    private static AzureKeyVaultSettings settings(String vaultUrl) {
        KmsProperties properties = validProperties();
        properties.getAzure().setVaultUrl(vaultUrl);
        return AzureKeyVaultSettings.from(properties);
    }

    private static KmsProperties validProperties() {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("azure-kv");
        properties.getAzure().setVaultUrl(VAULT_URL);
        properties.setKeyId("app-encryption");
        properties.setSigningKeyId("app-signing");
        return properties;
    }

    /**
     * Creates the provider through the factory; creating it sends no request, so the vault URL is never contacted.
     */
    private static RetryingCryptoProvider create(KmsProperties properties) {
        KmsProviderContext context = StandInProviders.context(properties, TestTokenCredential.returningToken(),
                new NettyAsyncHttpClientBuilder().build());
        return KmsProviderFactory.create("azure-kv", context);
    }
}
