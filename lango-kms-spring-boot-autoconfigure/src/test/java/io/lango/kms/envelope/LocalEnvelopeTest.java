package io.lango.kms.envelope;

import java.util.concurrent.atomic.AtomicLong;

import io.lango.kms.CryptoProvider;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.local.LocalKeyStore;
import io.lango.kms.support.KmsRetry;
import io.lango.kms.support.RetryingCryptoProvider;

/**
 * Envelope behaviour on the local provider; it has no stand-in, so a counting decorator counts its wraps.
 */
class LocalEnvelopeTest extends EnvelopeBackendContract {

    private final AtomicLong wraps = new AtomicLong();

    private final CryptoProvider backend = new RetryingCryptoProvider(new CountingLocalProvider(), new KmsRetry(0));

    @Override
    protected CryptoProvider backend() {
        return this.backend;
    }

    @Override
    protected String wrappingKeyId() {
        return "";
    }

    @Override
    protected long wrapRequestsServed() {
        return this.wraps.get();
    }

    private final class CountingLocalProvider extends ForwardingCryptoProvider {

        CountingLocalProvider() {
            super(new LocalCryptoProvider(LocalKeyStore.load(new KmsProperties(), (name) -> null)));
        }

        @Override
        public byte[] encrypt(String keyId, byte[] plaintext) {
            LocalEnvelopeTest.this.wraps.incrementAndGet();
            return super.encrypt(keyId, plaintext);
        }
    }
}
