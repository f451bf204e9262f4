package io.lango.kms.local;

import io.lango.kms.CryptoProvider;
import io.lango.kms.support.KmsBackend;
import io.lango.kms.support.KmsProviderContext;

/**
 * Creates the {@link LocalCryptoProvider} for {@code security.kms.provider=local}.
 */
public final class LocalKmsBackend implements KmsBackend {

    @Override
    public CryptoProvider create(KmsProviderContext context) {
        return new LocalCryptoProvider(LocalKeyStore.load(context.properties(), context.environment()));
    }
}
