package io.lango.kms.autoconfigure;

import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.support.KmsProviderFactory;

/**
 * Checks {@link KmsProperties} values and combinations at start-up and throws a {@link KmsConfigurationException}
 * that names the property and the fix.
 */
public final class KmsPropertiesValidator {

    private KmsPropertiesValidator() {
    }

    /**
     * Validates {@code properties} and returns the selected provider.
     */
    public static KmsProviderName validate(KmsProperties properties) {
        KmsProviderName provider = KmsProviderFactory.resolveName(properties.getProvider());
        validateLimits(properties);
        validateProviderSettings(provider, properties);
        validateKeys(properties);
        validateEnvelopeCache(properties.getEnvelope().getCache());
        return provider;
    }

    private static void validateLimits(KmsProperties properties) {
        if (properties.getMaxRetries() < 0) {
            throw new KmsConfigurationException("security.kms.max-retries",
                    "security.kms.max-retries must be 0 or more, but was " + properties.getMaxRetries() + ".",
                    "Set security.kms.max-retries to 0 to disable retries, or to a positive number (default 3).");
        }
        requirePositive("security.kms.timeout-per-operation", properties.getTimeoutPerOperation(), "5s");
        Duration ttl = properties.getHealthCacheTtl();
        if (ttl == null || ttl.isNegative()) {
            throw new KmsConfigurationException("security.kms.health-cache-ttl",
                    "security.kms.health-cache-ttl must be 0 or more, but was " + ttl + ".",
                    "Set security.kms.health-cache-ttl to a duration such as 30s (the default).");
        }
    }

    private static void requirePositive(String property, Duration value, String example) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new KmsConfigurationException(property,
                    property + " must be a positive duration, but was " + value + ".",
                    "Set " + property + " to a positive duration such as " + example + ".");
        }
    }

    private static void validateProviderSettings(KmsProviderName provider, KmsProperties properties) {
        switch (provider) {
            case AWS_KMS, GCP_KMS -> requireKeyId(provider, properties);
            case AZURE_KV -> {
                requireText("security.kms.azure.vault-url", properties.getAzure().getVaultUrl(), provider,
                        "the Key Vault URL, for example https://my-vault.vault.azure.net");
                requireKeyId(provider, properties);
            }
            case PKCS11 -> requireText("security.kms.pkcs11.module-path", properties.getPkcs11().getModulePath(),
                    provider, "the path of the HSM vendor's PKCS#11 library, for example /usr/lib/softhsm/libsofthsm2.so");
            case LOCAL -> {
            }
        }
    }

    /**
     * Rejects a fallback on ephemeral keys: ciphertext that it makes during an outage could not be decrypted after
     * a restart, so the data would be lost. Called after the primary provider is created, so a missing SDK is
     * reported first.
     */
    public static void validateFallbackKeyStore(KmsProviderName provider, KmsProperties properties) {
        String keyStore = properties.getLocal().getKeyStore();
        if (provider == KmsProviderName.LOCAL || !properties.isFallbackToLocal()
                || (keyStore != null && !keyStore.isBlank())) {
            return;
        }
        throw new KmsConfigurationException("security.kms.local.key-store",
                "security.kms.fallback-to-local=true needs security.kms.local.key-store when security.kms.provider="
                        + provider.configName() + ": without a key store the fallback keys are ephemeral, so data "
                        + "encrypted during an outage could not be decrypted after a restart.",
                "Set security.kms.local.key-store to a file path (and security.kms.local.key-store-password or "
                        + "LANGO_LOCAL_KEYSTORE_PASSWORD), or set security.kms.fallback-to-local=false.");
    }

    private static void requireKeyId(KmsProviderName provider, KmsProperties properties) {
        requireText("security.kms.key-id", properties.getKeyId(), provider,
                "the id of the default encryption key in " + provider.configName());
    }

    private static void requireText(String property, String value, KmsProviderName provider, String expectedValue) {
        if (value == null || value.isBlank()) {
            throw new KmsConfigurationException(property,
                    property + " is required when security.kms.provider=" + provider.configName() + ".",
                    "Set " + property + " to " + expectedValue + ".");
        }
    }

    private static void validateEnvelopeCache(KmsProperties.Envelope.Cache cache) {
        requirePositive("security.kms.envelope.cache.max-age", cache.getMaxAge(), "5m");
        requireAtLeastOne("security.kms.envelope.cache.max-messages", cache.getMaxMessages(), "1000");
        long maxBytes = (cache.getMaxBytes() != null) ? cache.getMaxBytes().toBytes() : 0;
        requireAtLeastOne("security.kms.envelope.cache.max-bytes", maxBytes, "100MB");
        requireAtLeastOne("security.kms.envelope.cache.decrypt-capacity", cache.getDecryptCapacity(), "1000");
    }

    private static void requireAtLeastOne(String property, long value, String example) {
        if (value < 1) {
            throw new KmsConfigurationException(property, property + " must be 1 or more, but was " + value + ".",
                    "Set " + property + " to a positive value such as " + example + ".");
        }
    }

    private static void validateKeys(KmsProperties properties) {
        Set<String> seen = new HashSet<>();
        for (int index = 0; index < properties.getKeys().size(); index++) {
            KmsProperties.KeyEntry entry = properties.getKeys().get(index);
            String property = "security.kms.keys[" + index + "].name";
            if (entry.getName() == null || entry.getName().isBlank()) {
                throw new KmsConfigurationException(property, property + " is missing.",
                        "Give every entry of security.kms.keys a name that callers pass as the key id.");
            }
            if (CryptoProvider.isDefaultKeyId(entry.getName())) {
                throw new KmsConfigurationException(property,
                        property + " is '" + entry.getName() + "', which is reserved for the default key.",
                        "Choose another name; the default keys are configured with security.kms.key-id and signing-key-id.");
            }
            String unique = entry.getType() + ":" + entry.getName().toLowerCase(Locale.ROOT);
            if (!seen.add(unique)) {
                throw new KmsConfigurationException(property,
                        property + " '" + entry.getName() + "' is used by more than one " + entry.getType().name().toLowerCase(Locale.ROOT)
                                + " key (names are compared ignoring case).",
                        "Give each key of security.kms.keys a unique name.");
            }
        }
    }
}
