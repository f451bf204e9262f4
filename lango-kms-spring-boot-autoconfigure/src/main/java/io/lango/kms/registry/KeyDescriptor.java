package io.lango.kms.registry;

import io.lango.kms.autoconfigure.KmsProperties.KeyType;

/**
 * Key known to the application: a stable id, the name callers use, its purpose, and its id in the backend.
 *
 * @param id identifier derived from the name and type, the same across restarts
 * @param name name that callers pass as the key id
 * @param type encryption or signing
 * @param remoteKeyId id of the key in the backend, for example an ARN or a PKCS#11 label
 */
public record KeyDescriptor(String id, String name, KeyType type, String remoteKeyId) {
}
