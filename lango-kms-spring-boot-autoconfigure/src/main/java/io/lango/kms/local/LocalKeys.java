package io.lango.kms.local;

import java.security.KeyPair;
import java.util.Map;

import javax.crypto.SecretKey;

/**
 * AES-256 encryption keys and EC P-256 signing key pairs of the local provider, by key name.
 *
 * @param encryptionKeys AES keys by name, always including {@link LocalKeyStore#DEFAULT_KEY}
 * @param signingKeys EC key pairs by name, always including {@link LocalKeyStore#DEFAULT_KEY}
 * @param persistent whether the keys are stored in a key store file and survive a restart
 */
public record LocalKeys(Map<String, SecretKey> encryptionKeys, Map<String, KeyPair> signingKeys,
        boolean persistent) {

    public LocalKeys {
        encryptionKeys = Map.copyOf(encryptionKeys);
        signingKeys = Map.copyOf(signingKeys);
    }
}
