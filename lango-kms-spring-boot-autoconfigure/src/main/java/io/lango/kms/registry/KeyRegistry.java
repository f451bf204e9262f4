package io.lango.kms.registry;

import java.util.List;
import java.util.Optional;

import io.lango.kms.autoconfigure.KmsProperties.KeyType;

/**
 * Keys the application uses, listed by the Actuator endpoint and the CLI.
 */
public interface KeyRegistry {

    /**
     * Returns every key, default keys first.
     */
    List<KeyDescriptor> keys();

    /**
     * Finds the key with {@code name} and {@code type}.
     */
    default Optional<KeyDescriptor> find(String name, KeyType type) {
        return keys().stream().filter((key) -> key.type() == type && key.name().equals(name)).findFirst();
    }
}
