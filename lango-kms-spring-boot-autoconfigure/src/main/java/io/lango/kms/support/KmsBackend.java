package io.lango.kms.support;

import io.lango.kms.CryptoProvider;

/**
 * Creates the {@link CryptoProvider} of one backend; {@link KmsProviderFactory} loads an implementation by name
 * only after that backend's SDK is found on the class path.
 *
 * <p>Implementations have a public no-argument constructor. The provider they return does not retry: the factory
 * wraps it with {@link KmsRetry}.
 */
public interface KmsBackend {

    /**
     * Creates a provider from the context's properties, or throws a {@code KmsConfigurationException} naming the
     * property at fault.
     */
    CryptoProvider create(KmsProviderContext context);
}
