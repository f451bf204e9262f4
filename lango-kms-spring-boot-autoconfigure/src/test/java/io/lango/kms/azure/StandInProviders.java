package io.lango.kms.azure;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLException;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.util.HttpClientOptions;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.support.KmsProviderContext;
import io.lango.kms.testsupport.azure.KeyVaultStandIn;

/**
 * Builds Azure Key Vault providers that talk to a {@link KeyVaultStandIn} over real HTTPS with the real SDK.
 */
final class StandInProviders {

    static final String ENCRYPTION_KEY = "app-encryption";

    static final String SIGNING_KEY = "app-signing";

    private StandInProviders() {
    }

    /**
     * Returns properties for the stand-in's vault with the default key names and a 2-second timeout.
     */
    static KmsProperties properties(KeyVaultStandIn standIn) {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("azure-kv");
        properties.getAzure().setVaultUrl(standIn.vaultUrl());
        properties.setKeyId(ENCRYPTION_KEY);
        properties.setSigningKeyId(SIGNING_KEY);
        properties.setTimeoutPerOperation(Duration.ofSeconds(2));
        return properties;
    }

    /**
     * Returns a context whose beans are {@code credential} and an HTTP client that trusts the stand-in's
     * certificate, with the timeouts the backend gives its default client.
     */
    static KmsProviderContext context(KmsProperties properties, KeyVaultStandIn standIn, TokenCredential credential) {
        HttpClient httpClient = trustingHttpClient(standIn,
                AzureKeyVaultClients.httpClientOptions(properties.getTimeoutPerOperation()));
        return context(properties, credential, httpClient);
    }

    /**
     * Returns a context whose beans are {@code credential} and {@code httpClient}.
     */
    static KmsProviderContext context(KmsProperties properties, TokenCredential credential, HttpClient httpClient) {
        Map<Class<?>, Object> beans = new HashMap<>();
        beans.put(TokenCredential.class, credential);
        beans.put(HttpClient.class, httpClient);
        return new KmsProviderContext(properties, (name) -> null, new KmsProviderContext.BeanLookup() {

            @Override
            public <T> Optional<T> find(Class<T> type) {
                return Optional.ofNullable(type.cast(beans.get(type)));
            }
        }, StandInProviders.class.getClassLoader());
    }

    static AzureKeyVaultCryptoProvider create(KmsProperties properties, KeyVaultStandIn standIn,
            TokenCredential credential) {
        return (AzureKeyVaultCryptoProvider) new AzureKeyVaultBackend()
            .create(context(properties, standIn, credential));
    }

    /**
     * Builds the Netty client that Azure Core's default provider builds from {@code options}, plus trust for the
     * stand-in's self-signed certificate, which the JDK's default trust store does not hold.
     */
    static HttpClient trustingHttpClient(KeyVaultStandIn standIn, HttpClientOptions options) {
        SslContext sslContext;
        try {
            sslContext = SslContextBuilder.forClient().trustManager(standIn.certificate()).build();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("Could not build a TLS context for the stand-in", ex);
        }
        reactor.netty.http.client.HttpClient nettyClient = reactor.netty.http.client.HttpClient.create()
            .secure((spec) -> spec.sslContext(sslContext));
        return new NettyAsyncHttpClientBuilder(nettyClient).connectTimeout(options.getConnectTimeout())
            .writeTimeout(options.getWriteTimeout())
            .responseTimeout(options.getResponseTimeout())
            .readTimeout(options.getReadTimeout())
            .build();
    }
}
