package io.lango.kms.azure;

import java.time.Duration;
import java.util.Objects;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.HttpClientOptions;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;

/**
 * Builds the Key Vault clients of one provider. They share one credential, one HTTP client and the same pipeline
 * settings: the SDK makes no retries, because {@code KmsRetry} is the only retry layer.
 */
final class AzureKeyVaultClients {

    /**
     * Retry options whose condition rejects every failure, so each call makes one attempt. A maximum of zero
     * retries would do the same, but Azure Core 1.58 then logs "Retry attempts have been exhausted" at INFO after
     * every successful call.
     */
    private static final RetryOptions NO_RETRIES = new RetryOptions(new FixedDelayOptions(1, Duration.ZERO))
        .setShouldRetryCondition((condition) -> false);

    private final String vaultUrl;

    private final TokenCredential credential;

    private final HttpClient httpClient;

    private final boolean verifyChallengeResource;

    private final KeyClient keyClient;

    /**
     * Creates the clients. With {@code verifyChallengeResource} false, a vault on a loopback address may name the
     * resource {@code https://vault.azure.net} in its bearer challenge.
     */
    AzureKeyVaultClients(String vaultUrl, TokenCredential credential, HttpClient httpClient,
            boolean verifyChallengeResource) {
        this.vaultUrl = Objects.requireNonNull(vaultUrl, "vaultUrl");
        this.credential = new FailureTaggingCredential(credential);
        this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
        this.verifyChallengeResource = verifyChallengeResource;
        this.keyClient = buildKeyClient();
    }

    /**
     * Returns the options of the default HTTP client: {@code timeout} bounds connecting, writing the request,
     * waiting for the response headers and each read of the body.
     */
    static HttpClientOptions httpClientOptions(Duration timeout) {
        return new HttpClientOptions().setConnectTimeout(timeout)
            .setWriteTimeout(timeout)
            .setResponseTimeout(timeout)
            .setReadTimeout(timeout);
    }

    KeyClient keyClient() {
        return this.keyClient;
    }

    /**
     * Builds a client for one key version ({@code https://<vault>/keys/<name>/<version>}) that sends every
     * operation to Key Vault: without key caching, encrypt does not run locally on a cached public key, so a
     * disabled or deleted key fails at once.
     */
    CryptographyClient cryptographyClient(String keyIdentifier) {
        CryptographyClientBuilder builder = new CryptographyClientBuilder().keyIdentifier(keyIdentifier)
            .credential(this.credential)
            .httpClient(this.httpClient)
            .retryOptions(NO_RETRIES)
            .disableKeyCaching();
        if (!this.verifyChallengeResource) {
            builder.disableChallengeResourceVerification();
        }
        return builder.buildClient();
    }

    private KeyClient buildKeyClient() {
        KeyClientBuilder builder = new KeyClientBuilder().vaultUrl(this.vaultUrl)
            .credential(this.credential)
            .httpClient(this.httpClient)
            .retryOptions(NO_RETRIES);
        if (!this.verifyChallengeResource) {
            builder.disableChallengeResourceVerification();
        }
        return builder.buildClient();
    }
}
