package io.lango.kms.composite;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;
import io.lango.kms.local.LocalKeyStore;
import io.lango.kms.registry.KeyDescriptor;
import io.lango.kms.registry.KeyRegistry;

/**
 * Key ids that the composite passes to the primary and to the local fallback for a caller's key id.
 */
final class CompositeKeyIds {

    private final KmsProviderName primaryName;

    private final KeyRegistry keyRegistry;

    CompositeKeyIds(KmsProviderName primaryName, KeyRegistry keyRegistry) {
        this.primaryName = primaryName;
        this.keyRegistry = keyRegistry;
    }

    /**
     * Resolves a caller's key id to the id that the primary receives: a default id becomes the configured default
     * key and a registry name its remote key id, so one key always has one id in envelope headers. On the local
     * provider, default ids become the empty id and names stay as they are.
     */
    String primaryKeyId(String keyId, KeyType type) {
        boolean defaultKey = CryptoProvider.isDefaultKeyId(keyId);
        if (this.primaryName == KmsProviderName.LOCAL) {
            return defaultKey ? "" : keyId;
        }
        String name = defaultKey ? LocalKeyStore.DEFAULT_KEY : keyId;
        return this.keyRegistry.find(name, type)
            .map(KeyDescriptor::remoteKeyId)
            .filter((remote) -> !remote.isBlank())
            .orElse(defaultKey ? "" : keyId);
    }

    /**
     * Returns the local key that replaces {@code keyId} in the fallback: the default key for a default id or the
     * configured default key, the key of the same name for a registry name, or null when the id has no local
     * counterpart, so the fallback never serves a key under another key's identity.
     */
    String localKeyId(String keyId, KeyType type) {
        if (CryptoProvider.isDefaultKeyId(keyId)) {
            return "";
        }
        if (this.keyRegistry.find(keyId, type).isPresent()) {
            return keyId;
        }
        String configuredDefault = this.keyRegistry.find(LocalKeyStore.DEFAULT_KEY, type)
            .map(KeyDescriptor::remoteKeyId)
            .orElse(null);
        return keyId.equals(configuredDefault) ? "" : null;
    }
}
