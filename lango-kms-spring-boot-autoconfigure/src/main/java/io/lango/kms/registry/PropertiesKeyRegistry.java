package io.lango.kms.registry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;
import io.lango.kms.local.LocalKeyStore;

/**
 * {@link KeyRegistry} built from {@code security.kms}: the default encryption and signing keys, then every entry
 * of {@code security.kms.keys}.
 */
public final class PropertiesKeyRegistry implements KeyRegistry {

    private final List<KeyDescriptor> keys;

    public PropertiesKeyRegistry(KmsProperties properties) {
        KmsProviderName provider = KmsProviderName.fromConfigName(properties.getProvider()).orElse(KmsProviderName.LOCAL);
        List<KeyDescriptor> entries = new ArrayList<>();
        entries.add(describe(LocalKeyStore.DEFAULT_KEY, KeyType.ENCRYPTION,
                remoteId(provider, configuredEncryptionKey(properties, provider), KeyType.ENCRYPTION)));
        entries.add(describe(LocalKeyStore.DEFAULT_KEY, KeyType.SIGNING,
                remoteId(provider, configuredSigningKey(properties, provider), KeyType.SIGNING)));
        for (KmsProperties.KeyEntry entry : properties.getKeys()) {
            String remote = (provider == KmsProviderName.LOCAL) ? localAlias(entry.getName(), entry.getType())
                    : entry.getRemoteKeyId();
            entries.add(describe(entry.getName(), entry.getType(), remote));
        }
        this.keys = List.copyOf(entries);
    }

    @Override
    public List<KeyDescriptor> keys() {
        return this.keys;
    }

    /** PKCS#11 prefers pkcs11.key-label over key-id, as the PKCS#11 provider does. */
    private static String configuredEncryptionKey(KmsProperties properties, KmsProviderName provider) {
        if (provider == KmsProviderName.PKCS11 && hasText(properties.getPkcs11().getKeyLabel())) {
            return properties.getPkcs11().getKeyLabel();
        }
        return properties.getKeyId();
    }

    /** PKCS#11 prefers pkcs11.signing-key-label, then signing-key-id, then the encryption key's label. */
    private static String configuredSigningKey(KmsProperties properties, KmsProviderName provider) {
        if (provider == KmsProviderName.PKCS11 && hasText(properties.getPkcs11().getSigningKeyLabel())) {
            return properties.getPkcs11().getSigningKeyLabel();
        }
        if (hasText(properties.getSigningKeyId())) {
            return properties.getSigningKeyId();
        }
        return configuredEncryptionKey(properties, provider);
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }

    private static String remoteId(KmsProviderName provider, String configured, KeyType type) {
        if (provider == KmsProviderName.LOCAL) {
            return localAlias(LocalKeyStore.DEFAULT_KEY, type);
        }
        return hasText(configured) ? configured : null;
    }

    private static String localAlias(String name, KeyType type) {
        return "local:" + type.name().toLowerCase(Locale.ROOT) + "." + name;
    }

    /** The id is a name-based UUID (RFC 4122 version 3), so it stays the same across restarts and hosts. */
    private static KeyDescriptor describe(String name, KeyType type, String remoteKeyId) {
        String seed = "lango-kms:" + type.name() + ":" + name;
        String id = UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
        return new KeyDescriptor(id, name, type, remoteKeyId);
    }
}
