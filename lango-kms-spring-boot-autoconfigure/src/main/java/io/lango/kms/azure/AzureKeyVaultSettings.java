package io.lango.kms.azure;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.lango.kms.KmsConfigurationException;
import io.lango.kms.autoconfigure.KmsProperties;

/**
 * Checked Azure Key Vault settings, derived from {@code security.kms}. Invalid values fail with a
 * {@link KmsConfigurationException} that names the property at fault.
 *
 * @param vaultUri the vault URL without a trailing slash
 * @param encryptionKey the default RSA key, with the pinned version if any
 * @param signingKey the default EC signing key, with its pinned version if any
 * @param namedKeys the remote key ids of the names in {@code security.kms.keys}
 * @param timeout the limit of one HTTP exchange with Key Vault
 */
record AzureKeyVaultSettings(URI vaultUri, KeyReference encryptionKey, KeyReference signingKey,
        Map<String, String> namedKeys, Duration timeout) {

    static final String VAULT_URL_PROPERTY = "security.kms.azure.vault-url";

    static final String KEY_VERSION_PROPERTY = "security.kms.azure.key-version";

    static final String KEY_ID_PROPERTY = "security.kms.key-id";

    static final String SIGNING_KEY_ID_PROPERTY = "security.kms.signing-key-id";

    static final String TIMEOUT_PROPERTY = "security.kms.timeout-per-operation";

    private static final String EXAMPLE_VAULT_URL = "https://my-vault.vault.azure.net";

    /**
     * Checks {@code properties} and derives the settings.
     */
    static AzureKeyVaultSettings from(KmsProperties properties) {
        URI vaultUri = vaultUri(properties.getAzure().getVaultUrl());
        KeyReference encryptionKey = encryptionKey(properties, vaultUri);
        KeyReference signingKey = isBlank(properties.getSigningKeyId()) ? encryptionKey
                : keyReference(SIGNING_KEY_ID_PROPERTY, properties.getSigningKeyId(), vaultUri);
        return new AzureKeyVaultSettings(vaultUri, encryptionKey, signingKey, namedKeys(properties),
                timeout(properties.getTimeoutPerOperation()));
    }

    /**
     * Returns the vault URL without a trailing slash, the form the SDK clients expect.
     */
    String vaultUrl() {
        return this.vaultUri.toString();
    }

    /**
     * Returns true when the vault runs on this machine, such as a local stand-in at https://127.0.0.1:8443.
     */
    boolean isLoopbackVault() {
        String host = this.vaultUri.getHost().toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.equals("[::1]") || host.matches("127(\\.\\d{1,3}){3}");
    }

    private static URI vaultUri(String vaultUrl) {
        if (isBlank(vaultUrl)) {
            throw new KmsConfigurationException(VAULT_URL_PROPERTY,
                    VAULT_URL_PROPERTY + " is required when security.kms.provider=azure-kv.",
                    "Set %s to the URL of the vault, for example %s.".formatted(VAULT_URL_PROPERTY,
                            EXAMPLE_VAULT_URL));
        }
        URI uri;
        try {
            uri = new URI(vaultUrl.trim());
        }
        catch (URISyntaxException ex) {
            throw invalidVaultUrl(vaultUrl, "it is not a valid URL (" + ex.getMessage() + ")");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw invalidVaultUrl(vaultUrl, "Key Vault is reached over HTTPS only, so it must start with https://");
        }
        String path = (uri.getRawPath() != null) ? uri.getRawPath() : "";
        if (!path.isEmpty() && !path.equals("/") || uri.getRawQuery() != null) {
            throw invalidVaultUrl(vaultUrl, "it must be the vault's base URL without a path or query");
        }
        return URI.create("https://" + uri.getRawAuthority());
    }

    private static KmsConfigurationException invalidVaultUrl(String vaultUrl, String reason) {
        return new KmsConfigurationException(VAULT_URL_PROPERTY,
                "%s '%s' is invalid: %s".formatted(VAULT_URL_PROPERTY, vaultUrl, reason),
                "Set %s to the URL of the vault, for example %s.".formatted(VAULT_URL_PROPERTY, EXAMPLE_VAULT_URL));
    }

    private static KeyReference encryptionKey(KmsProperties properties, URI vaultUri) {
        if (isBlank(properties.getKeyId())) {
            throw new KmsConfigurationException(KEY_ID_PROPERTY,
                    KEY_ID_PROPERTY + " is required when security.kms.provider=azure-kv.",
                    "Set %s to the name of the Key Vault RSA key that encrypts, for example app-encryption."
                        .formatted(KEY_ID_PROPERTY));
        }
        KeyReference key = keyReference(KEY_ID_PROPERTY, properties.getKeyId(), vaultUri);
        String version = properties.getAzure().getKeyVersion();
        if (isBlank(version)) {
            return key;
        }
        version = version.trim();
        if (!KeyReference.isValidVersion(version)) {
            throw new KmsConfigurationException(KEY_VERSION_PROPERTY,
                    "%s '%s' is not a valid key version".formatted(KEY_VERSION_PROPERTY, version),
                    "Set %s to the version part of the key identifier (32 hexadecimal digits), or leave it empty to use the current version."
                        .formatted(KEY_VERSION_PROPERTY));
        }
        if (key.hasVersion() && !key.version().equals(version)) {
            throw new KmsConfigurationException(KEY_VERSION_PROPERTY,
                    "%s '%s' conflicts with the version '%s' in %s".formatted(KEY_VERSION_PROPERTY, version,
                            key.version(), KEY_ID_PROPERTY),
                    "Give the version in only one of %s and %s.".formatted(KEY_ID_PROPERTY, KEY_VERSION_PROPERTY));
        }
        return key.withVersion(version);
    }

    private static KeyReference keyReference(String property, String keyId, URI vaultUri) {
        try {
            return KeyReference.parse(keyId, vaultUri);
        }
        catch (IllegalArgumentException ex) {
            throw new KmsConfigurationException(property, "%s is invalid: %s".formatted(property, ex.getMessage()),
                    "Set %s to a key name (app-key), name/version, or %s/keys/<name>[/<version>]."
                        .formatted(property, vaultUri));
        }
    }

    private static Map<String, String> namedKeys(KmsProperties properties) {
        Map<String, String> namedKeys = new LinkedHashMap<>();
        for (KmsProperties.KeyEntry entry : properties.getKeys()) {
            if (isBlank(entry.getName())) {
                continue;
            }
            String remote = isBlank(entry.getRemoteKeyId()) ? entry.getName() : entry.getRemoteKeyId();
            namedKeys.put(entry.getName(), remote);
        }
        return Map.copyOf(namedKeys);
    }

    private static Duration timeout(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new KmsConfigurationException(TIMEOUT_PROPERTY,
                    "%s must be positive, but was %s".formatted(TIMEOUT_PROPERTY, timeout),
                    "Set %s to a positive duration such as 5s.".formatted(TIMEOUT_PROPERTY));
        }
        return timeout;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
