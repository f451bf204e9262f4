package io.lango.kms.aws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kms.KmsClient;

import io.lango.kms.CryptoProvider;
import io.lango.kms.envelope.EnvelopeBackendContract;
import io.lango.kms.support.KmsProviderFactory;
import io.lango.kms.testsupport.aws.MotoServerExtension;

/**
 * Envelope encryption through the AWS KMS provider against moto: payload sizes and tampering. moto cannot count
 * requests, so {@link AwsEnvelopeStubTest} covers the cache's request counts.
 */
class AwsEnvelopeMotoTest extends EnvelopeBackendContract {

    @RegisterExtension
    static final MotoServerExtension moto = new MotoServerExtension();

    private CryptoProvider provider;

    private String keyId;

    @BeforeEach
    void createKeyAndProvider() {
        try (KmsClient admin = AwsTestClients.adminClient(moto.endpoint(), AwsTestClients.REGION)) {
            this.keyId = admin.createKey((request) -> request.description("envelope")).keyMetadata().keyId();
        }
        this.provider = KmsProviderFactory.create("aws-kms",
                AwsTestClients.context(AwsTestClients.properties(moto.endpoint(), this.keyId, null)));
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
        return this.keyId;
    }

    @Override
    protected long wrapRequestsServed() {
        return -1;
    }
}
