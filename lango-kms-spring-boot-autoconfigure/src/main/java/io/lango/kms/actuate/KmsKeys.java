package io.lango.kms.actuate;

import java.util.List;

import io.lango.kms.registry.KeyDescriptor;

/**
 * Keys listed by the endpoint and the CLI.
 *
 * @param keys every key of the registry, default keys first
 */
public record KmsKeys(List<KeyDescriptor> keys) {
}
