package io.lango.kms.aws;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.testsupport.aws.MotoServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The AWS KMS provider against moto: real SDK requests over HTTP to 127.0.0.1, with keys that an independent
 * client creates before each test.
 */
class AwsKmsMotoTest {

    @RegisterExtension
    static final MotoServerExtension moto = new MotoServerExtension();

    private final SecureRandom random = new SecureRandom();

    private KmsClient admin;

    private KeyMetadata encryptionKey;

    private KeyMetadata signingKey;

    private CryptoProvider provider;

    @BeforeEach
    void createKeys() {
        this.admin = AwsTestClients.adminClient(moto.endpoint(), AwsTestClients.REGION);
        this.encryptionKey = this.admin.createKey((request) -> request.description("encryption")).keyMetadata();
        this.signingKey = this.admin
            .createKey((request) -> request.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
            .keyMetadata();
        this.admin.createAlias((request) -> request.aliasName("alias/app").targetKeyId(this.encryptionKey.keyId()));
        this.admin.createAlias((request) -> request.aliasName("alias/signer").targetKeyId(this.signingKey.keyId()));
        this.provider = createProvider(AwsTestClients.properties(moto.endpoint(), "alias/app", "alias/signer"));
    }

    @AfterEach
    void closeClients() {
        this.provider.close();
        this.admin.close();
    }

    @Test
    void encryptDecryptRoundTrip() {
        byte[] plaintext = "order 42 paid".getBytes(StandardCharsets.UTF_8);

        byte[] ciphertext = this.provider.encrypt("", plaintext);

        assertThat(ciphertext).isNotEqualTo(plaintext);
        assertThat(this.provider.decrypt("", ciphertext)).isEqualTo(plaintext);
    }

    @Test
    void roundTripOfMaximumPlaintext() {
        byte[] plaintext = new byte[AwsKmsCryptoProvider.MAX_PLAINTEXT_BYTES];
        this.random.nextBytes(plaintext);

        byte[] ciphertext = this.provider.encrypt("default", plaintext);

        assertThat(plaintext).hasSize(4096);
        assertThat(this.provider.decrypt("default", ciphertext)).isEqualTo(plaintext);
    }

    @Test
    void roundTripOfNonUtf8Bytes() {
        // 0xC3 0x28 is an invalid two-byte UTF-8 sequence, and 0xFF never occurs in UTF-8.
        byte[] plaintext = new byte[300];
        this.random.nextBytes(plaintext);
        plaintext[0] = (byte) 0xC3;
        plaintext[1] = (byte) 0x28;
        plaintext[2] = (byte) 0xFF;
        plaintext[3] = 0;

        byte[] ciphertext = this.provider.encrypt("local", plaintext);

        assertThat(this.provider.decrypt("local", ciphertext)).isEqualTo(plaintext);
    }

    @Test
    void ciphertextIsAwsKmsCiphertext() {
        byte[] plaintext = "made by KMS".getBytes(StandardCharsets.UTF_8);

        byte[] ciphertext = this.provider.encrypt("", plaintext);

        byte[] decryptedByAdmin = this.admin
            .decrypt((request) -> request.ciphertextBlob(SdkBytes.fromByteArray(ciphertext)))
            .plaintext()
            .asByteArray();
        assertThat(decryptedByAdmin).isEqualTo(plaintext);
    }

    @Test
    void signatureVerifiesWithPlainJca() throws GeneralSecurityException {
        byte[] payload = "invoice 7 total 19.99".getBytes(StandardCharsets.UTF_8);

        byte[] signature = this.provider.sign("", payload);

        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKeyFromAdmin(this.signingKey.keyId()));
        verifier.update(payload);
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(signature[0]).as("DER SEQUENCE tag").isEqualTo((byte) 0x30);
    }

    @Test
    void verifyChecksSignatureLocally() {
        byte[] payload = "ship 3 crates".getBytes(StandardCharsets.UTF_8);
        byte[] signature = this.provider.sign("alias/signer", payload);

        assertThat(this.provider.verify("alias/signer", payload, signature)).isTrue();
        assertThat(this.provider.verify("alias/signer", "ship 4 crates".getBytes(StandardCharsets.UTF_8),
                signature))
            .isFalse();
        assertThat(this.provider.verify("alias/signer", payload, new byte[] { 1, 2, 3 })).isFalse();
    }

    @Test
    void publicKeyMatchesKmsPublicKey() {
        PublicKey publicKey = this.provider.publicKey("");

        assertThat(publicKey.getAlgorithm()).isEqualTo("EC");
        assertThat(publicKey.getEncoded()).isEqualTo(publicKeyFromAdmin(this.signingKey.keyId()).getEncoded());
    }

    @Test
    void encryptionKeyByUuidAliasAndArn() {
        String aliasArn = "arn:aws:kms:us-east-1:%s:alias/app".formatted(this.encryptionKey.awsAccountId());
        List<String> keyIds = List.of(this.encryptionKey.keyId(), "alias/app", this.encryptionKey.arn(), aliasArn);

        for (String keyId : keyIds) {
            byte[] plaintext = ("for " + keyId).getBytes(StandardCharsets.UTF_8);
            byte[] ciphertext = this.provider.encrypt(keyId, plaintext);
            assertThat(this.provider.decrypt(keyId, ciphertext)).as(keyId).isEqualTo(plaintext);
        }
    }

    @Test
    void signingKeyByUuidAliasAndArn() {
        String aliasArn = "arn:aws:kms:us-east-1:%s:alias/signer".formatted(this.signingKey.awsAccountId());
        List<String> keyIds = List.of(this.signingKey.keyId(), "alias/signer", this.signingKey.arn(), aliasArn);
        byte[] payload = "same key, four names".getBytes(StandardCharsets.UTF_8);

        for (String keyId : keyIds) {
            byte[] signature = this.provider.sign(keyId, payload);
            assertThat(this.provider.verify(keyId, payload, signature)).as(keyId).isTrue();
            assertThat(this.provider.verify(this.signingKey.keyId(), payload, signature)).as(keyId).isTrue();
        }
    }

    @Test
    void keyArnUsesItsOwnRegion() {
        try (KmsClient chinaAdmin = AwsTestClients.adminClient(moto.endpoint(), Region.CN_NORTH_1)) {
            KeyMetadata chinaKey = chinaAdmin.createKey((request) -> request.description("china")).keyMetadata();
            byte[] plaintext = "stays in cn-north-1".getBytes(StandardCharsets.UTF_8);

            byte[] ciphertext = this.provider.encrypt(chinaKey.arn(), plaintext);

            assertThat(chinaKey.arn()).startsWith("arn:aws-cn:kms:cn-north-1:");
            assertThat(this.provider.decrypt(chinaKey.arn(), ciphertext)).isEqualTo(plaintext);
            // The bare key id goes to the configured region, us-east-1, which does not hold the key.
            assertThatExceptionOfType(KmsException.class)
                .isThrownBy(() -> this.provider.encrypt(chinaKey.keyId(), plaintext))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY));
        }
    }

    @Test
    void unknownAliasIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.provider.encrypt("alias/missing", new byte[] { 1 }))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getProvider()).isEqualTo(KmsProviderName.AWS_KMS);
                assertThat(ex.getOperation()).isEqualTo("encrypt");
                assertThat(ex.getKeyId()).isEqualTo("alias/missing");
                assertThat(ex.getMessage()).contains("NotFoundException");
            });
    }

    @Test
    void bareNameIsNotAnAlias() {
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.provider.encrypt("app", new byte[] { 1 }))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getMessage()).contains("write alias/app for an alias");
            });
    }

    @Test
    void namedKeyUsesItsRemoteKeyId() {
        KmsProperties properties = AwsTestClients.properties(moto.endpoint(), "alias/app", "alias/signer");
        KmsProperties.KeyEntry orders = new KmsProperties.KeyEntry();
        orders.setName("orders");
        orders.setRemoteKeyId(this.encryptionKey.arn());
        properties.setKeys(List.of(orders));
        byte[] plaintext = "named".getBytes(StandardCharsets.UTF_8);

        try (CryptoProvider named = createProvider(properties)) {
            byte[] ciphertext = named.encrypt("orders", plaintext);

            assertThat(this.provider.decrypt(this.encryptionKey.keyId(), ciphertext)).isEqualTo(plaintext);
        }
    }

    @Test
    void tamperedCiphertextIsInvalidCiphertext() {
        byte[] ciphertext = this.provider.encrypt("", "original".getBytes(StandardCharsets.UTF_8));
        ciphertext[ciphertext.length - 1] ^= 1;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt("", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
    }

    @Test
    void signingWithEncryptionKeyIsInvalidInput() {
        // moto returns ValidationException where AWS KMS returns InvalidKeyUsageException.
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.provider.sign("alias/app", new byte[] { 1 }))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
    }

    @Test
    void publicKeyOfEncryptionKeyIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.publicKey("alias/app"))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getOperation()).isEqualTo("public-key");
            });
    }

    private static CryptoProvider createProvider(KmsProperties properties) {
        return new AwsKmsBackend().create(AwsTestClients.context(properties));
    }

    private PublicKey publicKeyFromAdmin(String keyId) {
        byte[] der = this.admin.getPublicKey((request) -> request.keyId(keyId)).publicKey().asByteArray();
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
