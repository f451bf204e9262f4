package io.lango.kms.pkcs11;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import io.lango.kms.CryptoProvider;
import io.lango.kms.envelope.EnvelopeBackendContract;
import io.lango.kms.testsupport.pkcs11.SoftHsmExtension;
import io.lango.kms.testsupport.pkcs11.SoftHsmToken;

/**
 * Envelope encryption with data keys wrapped by CKM_AES_GCM on a real SoftHSM2 token. SoftHSM2 cannot count
 * requests, so the cache's request counts are covered by the stand-ins that can.
 */
@ExtendWith(SoftHsmExtension.class)
class Pkcs11EnvelopeTest extends EnvelopeBackendContract {

    private static Pkcs11CryptoProvider provider;

    @BeforeAll
    static void connect(SoftHsmToken token) {
        provider = Pkcs11Tokens.provider(token);
    }

    @AfterAll
    static void close() {
        provider.close();
    }

    @Override
    protected CryptoProvider backend() {
        return provider;
    }

    @Override
    protected String wrappingKeyId() {
        return SoftHsmToken.AES_KEY_LABEL;
    }

    @Override
    protected long wrapRequestsServed() {
        return -1;
    }
}
