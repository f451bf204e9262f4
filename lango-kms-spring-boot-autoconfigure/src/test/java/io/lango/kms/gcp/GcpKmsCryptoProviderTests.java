package io.lango.kms.gcp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.zip.CRC32C;

import com.google.cloud.kms.v1.AsymmetricSignRequest;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.EncryptRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.autoconfigure.KmsProperties.KeyEntry;
import io.lango.kms.autoconfigure.KmsProperties.KeyType;
import io.lango.kms.testsupport.gcp.GcpKmsMethod;
import io.lango.kms.testsupport.gcp.GcpKmsStandIn;

import static io.lango.kms.gcp.GcpTestSupport.ENCRYPTION_KEY;
import static io.lango.kms.gcp.GcpTestSupport.KEY_RING;
import static io.lango.kms.gcp.GcpTestSupport.SIGNING_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The provider with the real {@code KeyManagementServiceClient} against the stand-in over plaintext gRPC: round
 * trips, signatures checked with plain JCA, request checksums, key ids and the errors of real key states.
 */
class GcpKmsCryptoProviderTests {

    private static final byte[] PAYLOAD = "transfer 100 EUR to account 42".getBytes(StandardCharsets.UTF_8);

    private static GcpKmsStandIn standIn;

    private KmsProperties properties;

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
        this.properties = GcpTestSupport.properties(standIn);
        this.provider = GcpTestSupport.rawProvider(this.properties);
    }

    @AfterEach
    void closeProvider() {
        this.provider.close();
    }

    @Test
    void encryptThenDecryptReturnsPlaintext() {
        byte[] ciphertext = this.provider.encrypt("default", PAYLOAD);

        assertThat(ciphertext).isNotEmpty().isNotEqualTo(PAYLOAD);
        assertThat(this.provider.decrypt("default", ciphertext)).isEqualTo(PAYLOAD);
    }

    @Test
    void encryptSendsPlaintextCrc32c() {
        this.provider.encrypt("", PAYLOAD);

        EncryptRequest request = (EncryptRequest) standIn.lastRequest(GcpKmsMethod.ENCRYPT);
        assertThat(request.getName()).isEqualTo(ENCRYPTION_KEY);
        assertThat(request.hasPlaintextCrc32C()).isTrue();
        assertThat(request.getPlaintextCrc32C().getValue()).isEqualTo(crc32c(PAYLOAD));
        assertThat(request.hasAdditionalAuthenticatedDataCrc32C()).isTrue();
        assertThat(request.getAdditionalAuthenticatedDataCrc32C().getValue()).isZero();
    }

    @Test
    void decryptSendsCiphertextCrc32c() {
        byte[] ciphertext = this.provider.encrypt("default", PAYLOAD);

        this.provider.decrypt("default", ciphertext);

        DecryptRequest request = (DecryptRequest) standIn.lastRequest(GcpKmsMethod.DECRYPT);
        assertThat(request.getName()).isEqualTo(ENCRYPTION_KEY);
        assertThat(request.hasCiphertextCrc32C()).isTrue();
        assertThat(request.getCiphertextCrc32C().getValue()).isEqualTo(crc32c(ciphertext));
    }

    @Test
    void plaintextOfExactly64KibRoundTrips() {
        byte[] plaintext = new byte[64 * 1024];
        Arrays.fill(plaintext, (byte) 7);

        byte[] ciphertext = this.provider.encrypt("default", plaintext);

        assertThat(this.provider.decrypt("default", ciphertext)).isEqualTo(plaintext);
    }

    @Test
    void plaintextOver64KibIsRejected() {
        byte[] plaintext = new byte[64 * 1024 + 1];

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("default", plaintext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT))
            .withMessageContaining("65537 bytes");
        assertThat(standIn.requestCount(GcpKmsMethod.ENCRYPT)).isZero();
    }

    @Test
    void oldCiphertextDecryptsAfterRotation() {
        String rotatingKey = standIn.createEncryptionKey(KEY_RING + "/cryptoKeys/rotating");
        byte[] oldCiphertext = this.provider.encrypt(rotatingKey, PAYLOAD);

        String newVersion = standIn.addKeyVersion(rotatingKey);
        byte[] newCiphertext = this.provider.encrypt(rotatingKey, PAYLOAD);

        assertThat(newVersion).isEqualTo(rotatingKey + "/cryptoKeyVersions/2");
        assertThat(this.provider.decrypt(rotatingKey, oldCiphertext)).isEqualTo(PAYLOAD);
        assertThat(this.provider.decrypt(rotatingKey, newCiphertext)).isEqualTo(PAYLOAD);
    }

    @Test
    void tamperedCiphertextIsInvalidCiphertext() {
        byte[] ciphertext = this.provider.encrypt("default", PAYLOAD);
        ciphertext[ciphertext.length - 1] ^= 0x01;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt("default", ciphertext))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT);
                assertThat(ex.getOperation()).isEqualTo(KmsOperations.DECRYPT);
                assertThat(ex.getKeyId()).isEqualTo(ENCRYPTION_KEY);
            });
    }

    @Test
    void signatureVerifiesWithPlainJca() throws Exception {
        byte[] signature = this.provider.sign("default", PAYLOAD);
        PublicKey publicKey = this.provider.publicKey("default");

        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(PAYLOAD);
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(publicKey).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) publicKey).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    @Test
    void signSendsSha256DigestAndItsCrc32c() throws Exception {
        this.provider.sign("default", PAYLOAD);

        AsymmetricSignRequest request = (AsymmetricSignRequest) standIn.lastRequest(GcpKmsMethod.ASYMMETRIC_SIGN);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(PAYLOAD);
        assertThat(request.getName()).isEqualTo(this.properties.getSigningKeyId());
        assertThat(request.getDigest().getSha256().toByteArray()).isEqualTo(digest);
        assertThat(request.getDigestCrc32C().getValue()).isEqualTo(crc32c(digest));
        assertThat(request.getData().isEmpty()).isTrue();
    }

    @Test
    void verifyAcceptsOwnSignatureAndRejectsOthers() {
        byte[] signature = this.provider.sign("default", PAYLOAD);
        byte[] otherPayload = Arrays.copyOf(PAYLOAD, PAYLOAD.length + 1);

        assertThat(this.provider.verify("default", PAYLOAD, signature)).isTrue();
        assertThat(this.provider.verify("default", otherPayload, signature)).isFalse();
        assertThat(this.provider.verify("default", PAYLOAD, new byte[] { 0x30, 0x01, 0x00 })).isFalse();
    }

    @Test
    void publicKeyIsFetchedOncePerVersion() {
        this.provider.publicKey("default");
        this.provider.publicKey("default");
        this.provider.verify("default", PAYLOAD, this.provider.sign("default", PAYLOAD));

        assertThat(standIn.requestCount(GcpKmsMethod.GET_PUBLIC_KEY)).isEqualTo(1);
    }

    @Test
    void longPayloadSignsThroughDigest() throws Exception {
        byte[] payload = new byte[1024 * 1024];
        Arrays.fill(payload, (byte) 'a');

        byte[] signature = this.provider.sign("default", payload);

        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(this.provider.publicKey("default"));
        verifier.update(payload);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void namedKeysResolveToResourceNames() {
        String ordersKey = standIn.createEncryptionKey(KEY_RING + "/cryptoKeys/orders");
        String invoicesVersion = standIn.createSigningKey(KEY_RING + "/cryptoKeys/invoices");
        this.properties.getKeys().add(entry("orders", KeyType.ENCRYPTION, ordersKey));
        this.properties.getKeys().add(entry("invoices", KeyType.SIGNING, invoicesVersion));

        try (CryptoProvider named = GcpTestSupport.rawProvider(this.properties)) {
            byte[] ciphertext = named.encrypt("orders", PAYLOAD);
            assertThat(((EncryptRequest) standIn.lastRequest(GcpKmsMethod.ENCRYPT)).getName()).isEqualTo(ordersKey);
            assertThat(named.decrypt("orders", ciphertext)).isEqualTo(PAYLOAD);

            byte[] signature = named.sign("invoices", PAYLOAD);
            assertThat(((AsymmetricSignRequest) standIn.lastRequest(GcpKmsMethod.ASYMMETRIC_SIGN)).getName())
                .isEqualTo(invoicesVersion);
            assertThat(named.verify("invoices", PAYLOAD, signature)).isTrue();
            assertThat(named.verify("default", PAYLOAD, signature)).isFalse();
        }
    }

    @Test
    void fullResourceNamesWorkAsKeyIds() {
        String signingVersion = this.properties.getSigningKeyId();

        byte[] ciphertext = this.provider.encrypt(ENCRYPTION_KEY, PAYLOAD);
        byte[] signature = this.provider.sign(signingVersion, PAYLOAD);

        assertThat(this.provider.decrypt(ENCRYPTION_KEY, ciphertext)).isEqualTo(PAYLOAD);
        assertThat(this.provider.verify(signingVersion, PAYLOAD, signature)).isTrue();
    }

    @Test
    void versionedEncryptionKeyPinsEncrypt() {
        String pinnedKey = standIn.createEncryptionKey(KEY_RING + "/cryptoKeys/pinned");
        standIn.addKeyVersion(pinnedKey);
        String version1 = pinnedKey + "/cryptoKeyVersions/1";

        byte[] ciphertext = this.provider.encrypt(version1, PAYLOAD);

        assertThat(((EncryptRequest) standIn.lastRequest(GcpKmsMethod.ENCRYPT)).getName()).isEqualTo(version1);
        assertThat(this.provider.decrypt(version1, ciphertext)).isEqualTo(PAYLOAD);
        assertThat(((DecryptRequest) standIn.lastRequest(GcpKmsMethod.DECRYPT)).getName()).isEqualTo(pinnedKey);
    }

    @Test
    void signWithCryptoKeyNameIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.sign(SIGNING_KEY, PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .withMessageContaining("a CryptoKeyVersion is required to sign");
        assertThat(standIn.requestCount(GcpKmsMethod.ASYMMETRIC_SIGN)).isZero();
    }

    @Test
    void signWithoutSigningKeyIsInvalidKey() {
        this.properties.setSigningKeyId(null);

        try (CryptoProvider encryptOnly = GcpTestSupport.rawProvider(this.properties)) {
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> encryptOnly.sign("default", PAYLOAD))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
                .withMessageContaining("set security.kms.signing-key-id to a CryptoKeyVersion name");
        }
    }

    @Test
    void unknownKeyIdIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("orders", PAYLOAD))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getKeyId()).isEqualTo("orders");
                assertThat(ex.getProvider()).isEqualTo(KmsProviderName.GCP_KMS);
            });
    }

    @Test
    void missingKeyIsInvalidKey() {
        String missingKey = KEY_RING + "/cryptoKeys/missing";

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt(missingKey, PAYLOAD))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getKeyId()).isEqualTo(missingKey);
            })
            .withMessageContaining("NOT_FOUND");
    }

    @Test
    void signWithEncryptionVersionIsInvalidKey() {
        String encryptionVersion = ENCRYPTION_KEY + "/cryptoKeyVersions/1";

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.provider.sign(encryptionVersion, PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .withMessageContaining("INVALID_ARGUMENT");
    }

    @Test
    void disabledSigningVersionIsKeyDisabled() {
        String version = standIn.createSigningKey(KEY_RING + "/cryptoKeys/disabled-signing");
        standIn.disableKeyVersion(version);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.sign(version, PAYLOAD))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.KEY_DISABLED);
                assertThat(ex.getKeyId()).isEqualTo(version);
            });
    }

    @Test
    void ciphertextOfDisabledVersionIsKeyDisabled() {
        String key = standIn.createEncryptionKey(KEY_RING + "/cryptoKeys/disabled-encryption");
        byte[] ciphertext = this.provider.encrypt(key, PAYLOAD);
        standIn.disableKeyVersion(key + "/cryptoKeyVersions/1");

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt(key, ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.KEY_DISABLED));
    }

    @Test
    void nullInputIsInvalidInput() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("default", null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.sign("default", null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
    }

    private static long crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    private static KeyEntry entry(String name, KeyType type, String remoteKeyId) {
        KeyEntry entry = new KeyEntry();
        entry.setName(name);
        entry.setType(type);
        entry.setRemoteKeyId(remoteKeyId);
        return entry;
    }
}
