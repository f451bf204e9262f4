package io.lango.kms.azure;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.lango.kms.CryptoProvider;
import io.lango.kms.envelope.EnvelopeBackendContract;
import io.lango.kms.testsupport.azure.KeyVaultOperation;
import io.lango.kms.testsupport.azure.KeyVaultStandIn;

/**
 * Envelope encryption with data keys wrapped by RSA-OAEP in the Key Vault stand-in, which counts the encrypt
 * requests. RSA-OAEP on RSA-2048 takes at most 214 bytes, so only envelope mode handles larger payloads here.
 */
class AzureEnvelopeTest extends EnvelopeBackendContract {

    private static KeyVaultStandIn standIn;

    private final TestTokenCredential credential = TestTokenCredential.returningToken();

    private CryptoProvider provider;

    @BeforeAll
    static void startStandIn() throws Exception {
        standIn = KeyVaultStandIn.start();
        standIn.createRsaKey(StandInProviders.ENCRYPTION_KEY, 2048);
        standIn.createEcKey(StandInProviders.SIGNING_KEY, "P-256");
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @BeforeEach
    void createProvider() {
        standIn.reset();
        this.provider = StandInProviders.create(StandInProviders.properties(standIn), standIn, this.credential);
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
        return StandInProviders.ENCRYPTION_KEY;
    }

    @Override
    protected long wrapRequestsServed() {
        return standIn.requestCount(KeyVaultOperation.ENCRYPT);
    }
}
