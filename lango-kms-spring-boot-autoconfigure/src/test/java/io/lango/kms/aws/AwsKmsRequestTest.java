package io.lango.kms.aws;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsServiceClientConfiguration;

import io.lango.kms.CryptoProvider;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.testsupport.aws.AwsKmsErrorStub;
import io.lango.kms.testsupport.aws.AwsKmsErrorStub.RecordedRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requests the AWS KMS provider sends, as the stub records them, and the clients it builds.
 */
class AwsKmsRequestTest {

    private static final String EU_KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

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
        this.provider = create(AwsTestClients.properties(stub.endpoint(), "alias/app", "alias/signer"));
    }

    @AfterEach
    void closeProvider() {
        this.provider.close();
    }

    @Test
    void encryptAndDecryptSendKeyIdAndAlgorithm() {
        byte[] ciphertext = this.provider.encrypt("", new byte[] { 7 });
        this.provider.decrypt("", ciphertext);

        List<RecordedRequest> requests = stub.requests();
        assertThat(requests).extracting(RecordedRequest::operation).containsExactly("Encrypt", "Decrypt");
        for (RecordedRequest request : requests) {
            assertThat(request.field("KeyId")).isEqualTo("alias/app");
            assertThat(request.field("EncryptionAlgorithm")).isEqualTo("SYMMETRIC_DEFAULT");
            assertThat(request.region()).isEqualTo("us-east-1");
        }
        assertThat(requests.get(1).field("CiphertextBlob")).isEqualTo(Base64.getEncoder().encodeToString(ciphertext));
    }

    @Test
    void signSendsRawMessage() throws GeneralSecurityException {
        byte[] payload = new byte[AwsKmsCryptoProvider.MAX_RAW_MESSAGE_BYTES];

        byte[] signature = this.provider.sign("", payload);

        RecordedRequest request = stub.requests().get(0);
        assertThat(request.field("KeyId")).isEqualTo("alias/signer");
        assertThat(request.field("SigningAlgorithm")).isEqualTo("ECDSA_SHA_256");
        assertThat(request.field("MessageType")).isEqualTo("RAW");
        assertThat(request.field("Message")).isEqualTo(Base64.getEncoder().encodeToString(payload));
        assertThat(verifiesWithJca(payload, signature)).isTrue();
    }

    @Test
    void signSendsDigestForLongPayload() throws GeneralSecurityException {
        byte[] payload = new byte[AwsKmsCryptoProvider.MAX_RAW_MESSAGE_BYTES + 1];
        payload[0] = 42;

        byte[] signature = this.provider.sign("", payload);

        RecordedRequest request = stub.requests().get(0);
        assertThat(request.field("MessageType")).isEqualTo("DIGEST");
        assertThat(request.field("Message")).isEqualTo(Base64.getEncoder().encodeToString(sha256(payload)));
        assertThat(verifiesWithJca(payload, signature)).isTrue();
        assertThat(this.provider.verify("", payload, signature)).isTrue();
    }

    @Test
    void signSendsDigestForEmptyPayload() throws GeneralSecurityException {
        byte[] signature = this.provider.sign("", new byte[0]);

        assertThat(stub.requests().get(0).field("MessageType")).isEqualTo("DIGEST");
        assertThat(verifiesWithJca(new byte[0], signature)).isTrue();
    }

    @Test
    void publicKeyFetchedOncePerKey() {
        byte[] payload = { 1, 2, 3 };
        byte[] signature = this.provider.sign("", payload);

        for (int i = 0; i < 3; i++) {
            assertThat(this.provider.verify("", payload, signature)).isTrue();
        }
        this.provider.publicKey("default");
        this.provider.publicKey("alias/other");

        assertThat(stub.requests()).extracting(RecordedRequest::operation)
            .containsExactly("Sign", "GetPublicKey", "GetPublicKey");
        assertThat(stub.requests()).extracting((request) -> request.field("KeyId"))
            .containsExactly("alias/signer", "alias/signer", "alias/other");
    }

    @Test
    void keyArnGoesToItsRegion() {
        this.provider.encrypt(EU_KEY_ARN, new byte[] { 1 });
        this.provider.encrypt("alias/app", new byte[] { 1 });

        assertThat(stub.requests()).extracting(RecordedRequest::region).containsExactly("eu-west-1", "us-east-1");
        assertThat(stub.requests().get(0).field("KeyId")).isEqualTo(EU_KEY_ARN);
    }

    @Test
    void credentialsBeanSignsRequests() {
        StaticCredentialsProvider bean = StaticCredentialsProvider
            .create(AwsBasicCredentials.create("AKIDFROMBEAN", "secret"));
        KmsProperties properties = AwsTestClients.properties(stub.endpoint(), "alias/app", null);

        try (CryptoProvider withBean = new AwsKmsBackend().create(AwsTestClients.context(properties, bean))) {
            withBean.encrypt("", new byte[] { 1 });
        }

        assertThat(stub.requests().get(0).accessKeyId()).isEqualTo("AKIDFROMBEAN");
    }

    @Test
    void customizerRunsForEachRegion() {
        List<Region> customized = new ArrayList<>();
        AwsKmsClientCustomizer customizer = (builder, region) -> customized.add(region);
        KmsProperties properties = AwsTestClients.properties(stub.endpoint(), "alias/app", null);

        try (CryptoProvider customizedProvider = new AwsKmsBackend()
            .create(AwsTestClients.context(properties, customizer))) {
            customizedProvider.encrypt("", new byte[] { 1 });
            customizedProvider.encrypt(EU_KEY_ARN, new byte[] { 1 });
            customizedProvider.encrypt("", new byte[] { 1 });
        }

        assertThat(customized).containsExactly(Region.US_EAST_1, Region.EU_WEST_1);
    }

    @Test
    void clientHasSdkRetriesOffAndAttemptTimeout() {
        Duration timeout = Duration.ofMillis(1500);

        try (AwsKmsClients clients = new AwsKmsClients(AwsTestClients.TEST_CREDENTIALS,
                Optional.of(stub.endpoint()), timeout, Optional.empty(), Optional.empty())) {
            KmsServiceClientConfiguration configuration = clients.forRegion(Region.EU_CENTRAL_1)
                .serviceClientConfiguration();
            ClientOverrideConfiguration override = configuration.overrideConfiguration();

            assertThat(configuration.region()).isEqualTo(Region.EU_CENTRAL_1);
            assertThat(configuration.endpointOverride()).contains(stub.endpoint());
            assertThat(override.retryStrategy()).hasValueSatisfying(
                    (strategy) -> assertThat(strategy.maxAttempts()).as("attempts per SDK call").isEqualTo(1));
            assertThat(override.apiCallAttemptTimeout()).contains(timeout);
            assertThat(override.apiCallTimeout()).contains(timeout);
        }
    }

    private static CryptoProvider create(KmsProperties properties) {
        return new AwsKmsBackend().create(AwsTestClients.context(properties));
    }

    private static boolean verifiesWithJca(byte[] payload, byte[] signature) throws GeneralSecurityException {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(stub.operations().signingPublicKey());
        verifier.update(payload);
        return verifier.verify(signature);
    }

    private static byte[] sha256(byte[] payload) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(payload);
    }
}
