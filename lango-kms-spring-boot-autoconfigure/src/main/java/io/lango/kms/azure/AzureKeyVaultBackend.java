package io.lango.kms.azure;

import java.util.Optional;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.support.KmsBackend;
import io.lango.kms.support.KmsProviderContext;

/**
 * Creates the {@link AzureKeyVaultCryptoProvider} for {@code security.kms.provider=azure-kv}.
 *
 * <p>The credential is the application's {@link TokenCredential} bean when there is exactly one (Spring Cloud Azure
 * defines one), else {@code DefaultAzureCredential} from {@code com.azure:azure-identity}. The HTTP client is the
 * application's {@code com.azure.core.http.HttpClient} bean when there is exactly one, for example to set a proxy or
 * trust store, and that client keeps its own timeouts. Otherwise Azure Core's default client is built with
 * {@code security.kms.timeout-per-operation} as its connect, write, response and read timeout.
 */
public final class AzureKeyVaultBackend implements KmsBackend {

    private static final Log logger = LogFactory.getLog(AzureKeyVaultBackend.class);

    @Override
    public CryptoProvider create(KmsProviderContext context) {
        AzureKeyVaultSettings settings = AzureKeyVaultSettings.from(context.properties());
        Optional<TokenCredential> credentialBean = context.beans().find(TokenCredential.class);
        TokenCredential credential = credentialBean.orElseGet(AzureKeyVaultBackend::defaultCredential);
        Optional<HttpClient> httpClientBean = context.beans().find(HttpClient.class);
        HttpClient httpClient = httpClientBean.orElseGet(
                () -> HttpClient.createDefault(AzureKeyVaultClients.httpClientOptions(settings.timeout())));
        boolean loopback = settings.isLoopbackVault();

        AzureKeyVaultClients clients = new AzureKeyVaultClients(settings.vaultUrl(), credential, httpClient,
                !loopback);
        logStartUp(settings, credentialBean.isPresent(), httpClientBean.isPresent(), loopback);
        return new AzureKeyVaultCryptoProvider(settings, clients);
    }

    private static TokenCredential defaultCredential() {
        try {
            return DefaultCredential.create();
        }
        catch (NoClassDefFoundError ex) {
            throw new KmsConfigurationException("security.kms.provider",
                    "KMS provider 'azure-kv' needs a credential: there is no TokenCredential bean, and com.azure:azure-identity, which provides DefaultAzureCredential, is not on the class path",
                    "Add com.azure:azure-identity to the application's dependencies, or define a single com.azure.core.credential.TokenCredential bean.",
                    ex);
        }
    }

    private static void logStartUp(AzureKeyVaultSettings settings, boolean credentialBean, boolean httpClientBean,
            boolean loopback) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        logger.info(("KMS provider azure-kv: vault %s, encryption key %s, signing key %s, credential %s, "
                + "HTTP client %s").formatted(settings.vaultUrl(), describe(settings.encryptionKey()),
                        describe(settings.signingKey()),
                        credentialBean ? "from the TokenCredential bean" : "DefaultAzureCredential",
                        httpClientBean ? "from the HttpClient bean (its own timeouts apply)"
                                : "Azure Core default with a %d ms timeout".formatted(settings.timeout().toMillis())));
        if (loopback) {
            logger.info("Vault %s is on a loopback address, so the resource named in its bearer challenge is not checked against the vault's domain"
                .formatted(settings.vaultUrl()));
        }
    }

    private static String describe(KeyReference key) {
        return key.hasVersion() ? key.name() + " (version " + key.version() + ")"
                : key.name() + " (current version, resolved on first use)";
    }

    /**
     * Loads {@code DefaultAzureCredential} only when needed, so an application that defines its own
     * {@link TokenCredential} bean does not need {@code azure-identity}.
     */
    private static final class DefaultCredential {

        static TokenCredential create() {
            return new com.azure.identity.DefaultAzureCredentialBuilder().build();
        }
    }
}
