package io.lango.kms.aws;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.lango.kms.CryptoProvider;
import io.lango.kms.envelope.EnvelopeBackendContract;
import io.lango.kms.support.KmsProviderFactory;
import io.lango.kms.testsupport.aws.AwsKmsErrorStub;

/**
 * Envelope encryption through the AWS KMS provider against the KMS stub, which counts the Encrypt requests that
 * wrap data keys.
 */
class AwsEnvelopeStubTest extends EnvelopeBackendContract {

    private static final String KEY = "alias/app";

    private static AwsKmsErrorStub stub;

    private CryptoProvider provider;

    @BeforeAll
    static void startStub() {
        stub = AwsKmsErrorStub.start();
    }

    @AfterAll
    static void stopStub() {
        stub.close();
    }

    @BeforeEach
    void createProvider() {
        stub.reset();
        this.provider = KmsProviderFactory.create("aws-kms",
                AwsTestClients.context(AwsTestClients.properties(stub.endpoint(), KEY, "alias/signer")));
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
        return KEY;
    }

    @Override
    protected long wrapRequestsServed() {
        return stub.requests().stream().filter((request) -> "Encrypt".equals(request.operation())).count();
    }
}
