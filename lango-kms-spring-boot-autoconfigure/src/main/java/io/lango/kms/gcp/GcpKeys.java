package io.lango.kms.gcp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsConfigurationException;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.autoconfigure.KmsProperties.KeyEntry;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;

/**
 * Resolves the key ids that callers pass to Cloud KMS resource names, and checks the configured names at start-up.
 *
 * <p>A key id is {@code "default"} (or {@code "local"} or blank) for the configured key, a name from
 * {@code security.kms.keys}, or a full resource name. Encryption keys are CryptoKey names; Cloud KMS encrypts with
 * the primary version and finds the version again from the ciphertext. A version in an encryption key name pins
 * Encrypt to that version, and Decrypt still uses the CryptoKey. Signing keys must name a CryptoKeyVersion, because
 * AsymmetricSign and GetPublicKey work on one version.
 */
final class GcpKeys {

    static final String KEY_ID_PROPERTY = "security.kms.key-id";

    static final String SIGNING_KEY_ID_PROPERTY = "security.kms.signing-key-id";

    private final GcpKeyName encryptionKey;

    private final GcpKeyName signingKey;

    private final Map<String, GcpKeyName> namedEncryptionKeys;

    private final Map<String, GcpKeyName> namedSigningKeys;

    private GcpKeys(GcpKeyName encryptionKey, GcpKeyName signingKey, Map<String, GcpKeyName> namedEncryptionKeys,
            Map<String, GcpKeyName> namedSigningKeys) {
        this.encryptionKey = encryptionKey;
        this.signingKey = signingKey;
        this.namedEncryptionKeys = Map.copyOf(namedEncryptionKeys);
        this.namedSigningKeys = Map.copyOf(namedSigningKeys);
    }

    /**
     * Reads and checks the key names of {@code security.kms}, or throws a {@link KmsConfigurationException} naming
     * the property at fault.
     */
    static GcpKeys fromProperties(KmsProperties properties) {
        GcpKeyName encryptionKey = parseEncryptionKey(KEY_ID_PROPERTY, properties.getKeyId());
        GcpKeyName signingKey = null;
        if (hasText(properties.getSigningKeyId())) {
            signingKey = parseSigningKey(SIGNING_KEY_ID_PROPERTY, properties.getSigningKeyId());
        }
        Map<String, GcpKeyName> namedEncryptionKeys = new HashMap<>();
        Map<String, GcpKeyName> namedSigningKeys = new HashMap<>();
        List<KeyEntry> entries = properties.getKeys();
        for (int i = 0; i < entries.size(); i++) {
            KeyEntry entry = entries.get(i);
            if (!hasText(entry.getName())) {
                String nameProperty = "security.kms.keys[%d].name".formatted(i);
                throw new KmsConfigurationException(nameProperty, nameProperty + " is required.",
                        "Set %s to the name that callers pass as the key id.".formatted(nameProperty));
            }
            String property = "security.kms.keys[%d].remote-key-id".formatted(i);
            if (entry.getType() == KeyType.SIGNING) {
                namedSigningKeys.put(entry.getName(), parseSigningKey(property, entry.getRemoteKeyId()));
            }
            else {
                namedEncryptionKeys.put(entry.getName(), parseEncryptionKey(property, entry.getRemoteKeyId()));
            }
        }
        return new GcpKeys(encryptionKey, signingKey, namedEncryptionKeys, namedSigningKeys);
    }

    GcpKeyName defaultEncryptionKey() {
        return this.encryptionKey;
    }

    /**
     * Returns the default signing key version, or null when {@code security.kms.signing-key-id} is not set.
     */
    GcpKeyName defaultSigningKey() {
        return this.signingKey;
    }

    /**
     * Resolves the key that encrypts or decrypts for {@code keyId}, or throws an INVALID_KEY error.
     */
    GcpKeyName encryptionKey(String operation, String keyId) {
        if (CryptoProvider.isDefaultKeyId(keyId)) {
            return this.encryptionKey;
        }
        GcpKeyName named = this.namedEncryptionKeys.get(keyId);
        if (named != null) {
            return named;
        }
        if (this.namedSigningKeys.containsKey(keyId)) {
            throw invalidKey(operation, keyId, "key is a signing key; use a key whose type is encryption in "
                    + "security.kms.keys");
        }
        return GcpKeyName.parse(keyId).orElseThrow(() -> unknownKey(operation, keyId));
    }

    /**
     * Resolves the CryptoKeyVersion that signs for {@code keyId}, or throws an INVALID_KEY error.
     */
    GcpKeyName signingKey(String operation, String keyId) {
        if (CryptoProvider.isDefaultKeyId(keyId)) {
            if (this.signingKey == null) {
                throw invalidKey(operation, keyId, "no signing key is configured; set " + SIGNING_KEY_ID_PROPERTY
                        + " to a CryptoKeyVersion name, because the CryptoKey in " + KEY_ID_PROPERTY
                        + " encrypts and cannot sign");
            }
            return this.signingKey;
        }
        GcpKeyName named = this.namedSigningKeys.get(keyId);
        if (named != null) {
            return named;
        }
        if (this.namedEncryptionKeys.containsKey(keyId)) {
            throw invalidKey(operation, keyId, "key is an encryption key; use a key whose type is signing in "
                    + "security.kms.keys");
        }
        GcpKeyName parsed = GcpKeyName.parse(keyId).orElseThrow(() -> unknownKey(operation, keyId));
        if (!parsed.hasVersion()) {
            throw invalidKey(operation, keyId, "a CryptoKeyVersion is required to sign; append "
                    + "/cryptoKeyVersions/<n> to the CryptoKey name");
        }
        return parsed;
    }

    private static GcpKeyName parseEncryptionKey(String property, String value) {
        if (!hasText(value)) {
            throw new KmsConfigurationException(property,
                    "%s is required when security.kms.provider=gcp-kms.".formatted(property),
                    "Set %s to the CryptoKey that encrypts, for example %s.".formatted(property,
                            GcpKeyName.CRYPTO_KEY_EXAMPLE));
        }
        return GcpKeyName.parse(value).orElseThrow(() -> notAKeyName(property, value));
    }

    private static GcpKeyName parseSigningKey(String property, String value) {
        if (!hasText(value)) {
            throw new KmsConfigurationException(property,
                    "%s is required for a signing key when security.kms.provider=gcp-kms.".formatted(property),
                    "Set %s to the CryptoKeyVersion that signs, for example %s/cryptoKeyVersions/1."
                        .formatted(property, GcpKeyName.CRYPTO_KEY_EXAMPLE));
        }
        GcpKeyName name = GcpKeyName.parse(value).orElseThrow(() -> notAKeyName(property, value));
        if (!name.hasVersion()) {
            throw new KmsConfigurationException(property,
                    ("%s '%s' names a CryptoKey without a version, but a version is required: Cloud KMS signs "
                            + "with one CryptoKeyVersion.").formatted(property, value),
                    "Append the version that signs to %s, for example %s/cryptoKeyVersions/1."
                        .formatted(property, value.trim()));
        }
        return name;
    }

    private static KmsConfigurationException notAKeyName(String property, String value) {
        return new KmsConfigurationException(property,
                "%s '%s' is not a full Cloud KMS key name.".formatted(property, value),
                ("Set %s to projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>, adding "
                        + "/cryptoKeyVersions/<n> for a signing key; for example %s.").formatted(property,
                                GcpKeyName.CRYPTO_KEY_EXAMPLE));
    }

    private static KmsException unknownKey(String operation, String keyId) {
        return invalidKey(operation, keyId, "key not found; use 'default', a name listed in security.kms.keys, or a "
                + "full Cloud KMS resource name");
    }

    private static KmsException invalidKey(String operation, String keyId, String detail) {
        return new KmsException(KmsProviderName.GCP_KMS, operation, keyId, KmsErrorKind.INVALID_KEY, detail);
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
