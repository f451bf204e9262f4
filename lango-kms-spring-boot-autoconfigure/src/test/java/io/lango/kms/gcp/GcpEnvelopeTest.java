package io.lango.kms.gcp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.lango.kms.CryptoProvider;
import io.lango.kms.envelope.EnvelopeBackendContract;
import io.lango.kms.testsupport.gcp.GcpKmsMethod;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

/**
 * Envelope encryption with data keys wrapped by symmetric Encrypt in the Cloud KMS stand-in, which counts the
 * Encrypt requests.
 */
class GcpEnvelopeTest extends EnvelopeBackendContract {

    private static GcpKmsStandIn standIn;

    private CryptoProvider provider;

    @BeforeAll
    static void startStandIn() {
        standIn = GcpKmsStandIn.start();
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @BeforeEach
    void createProvider() {
        standIn.clearFaults();
        standIn.resetCounters();
        this.provider = GcpTestSupport.rawProvider(GcpTestSupport.properties(standIn));
    }

    @AfterEach
    void closeProvider() {
        this.provider.close();
    }

    @Override
    protected CryptoProvider backend() {
        return this.provider;
    }

    @Override
    protected String wrappingKeyId() {
        return GcpTestSupport.ENCRYPTION_KEY;
    }

    @Override
    protected long wrapRequestsServed() {
        return standIn.requestCount(GcpKmsMethod.ENCRYPT);
    }
}
