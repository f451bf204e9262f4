package io.lango.kms.azure;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.List;

import javax.crypto.Cipher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.testsupport.azure.KeyVaultOperation;
import io.lango.kms.testsupport.azure.KeyVaultStandIn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Runs {@link AzureKeyVaultCryptoProvider} with the real Key Vault SDK against the HTTPS stand-in, and checks its
 * output with plain JCA.
 */
class AzureKeyVaultCryptoProviderTest {

    private static final byte[] PAYLOAD = "order 42 shipped".getBytes(StandardCharsets.UTF_8);

    private static KeyVaultStandIn standIn;

    private final TestTokenCredential credential = TestTokenCredential.returningToken();

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
    void resetStandIn() {
        standIn.reset();
    }

    @Test
    void encryptThenDecryptReturnsPlaintext() {
        AzureKeyVaultCryptoProvider provider = createProvider();

        byte[] ciphertext = provider.encrypt("", PAYLOAD);

        // One length byte, the 32-character key version, then RSA-OAEP ciphertext of the 2048-bit key.
        assertThat(ciphertext).hasSize(1 + 32 + 256);
        assertThat(provider.decrypt("", ciphertext)).isEqualTo(PAYLOAD);
    }

    @Test
    void encryptAndDecryptRunInKeyVault() {
        AzureKeyVaultCryptoProvider provider = createProvider();

        provider.decrypt("default", provider.encrypt("default", PAYLOAD));

        assertThat(standIn.requestCount(KeyVaultOperation.ENCRYPT)).isEqualTo(1);
        assertThat(standIn.requestCount(KeyVaultOperation.DECRYPT)).isEqualTo(1);
    }

    @Test
    void jcaRsaOaepCiphertextDecrypts() throws Exception {
        String keyName = "jca-check";
        standIn.createRsaKey(keyName, 2048);
        AzureKeyVaultCryptoProvider provider = createProvider();

        byte[] ciphertext = provider.encrypt(keyName, PAYLOAD);

        // The same ciphertext must open with a plain JCA RSA-OAEP (SHA-1, MGF1 SHA-1) cipher and the public key
        // that Key Vault published, proving the algorithm on the wire is RSA-OAEP.
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        cipher.init(Cipher.ENCRYPT_MODE, provider.publicKey(keyName));
        byte[] jcaCiphertext = cipher.doFinal(PAYLOAD);
        // The provider's ciphertext starts with the key version (a length byte and the version), then RSA-OAEP.
        int prefixLength = 1 + ciphertext[0];
        byte[] versioned = java.util.Arrays.copyOf(ciphertext, prefixLength + jcaCiphertext.length);
        System.arraycopy(jcaCiphertext, 0, versioned, prefixLength, jcaCiphertext.length);
        assertThat(provider.decrypt(keyName, versioned)).isEqualTo(PAYLOAD);
        assertThat(provider.decrypt(keyName, ciphertext)).isEqualTo(PAYLOAD);
    }

    @Test
    void signatureIsDerAndVerifiesWithJca() throws Exception {
        AzureKeyVaultCryptoProvider provider = createProvider();

        byte[] signature = provider.sign("", PAYLOAD);

        assertThat(signature[0]).isEqualTo((byte) 0x30);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(provider.publicKey(""));
        verifier.update(PAYLOAD);
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(standIn.requestCount(KeyVaultOperation.SIGN)).isEqualTo(1);
    }

    @Test
    void manySignaturesAllVerifyWithJca() throws Exception {
        // Random r and s values often have the high bit set or leading zero bytes; 40 signatures make it very
        // likely that both cases pass through the P1363 to DER conversion (each occurs with probability 1/2 and
        // 1/256 per value).
        AzureKeyVaultCryptoProvider provider = createProvider();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        PublicKey publicKey = provider.publicKey("");

        for (int i = 0; i < 40; i++) {
            byte[] payload = ("payload " + i).getBytes(StandardCharsets.UTF_8);
            byte[] signature = provider.sign("", payload);
            verifier.initVerify(publicKey);
            verifier.update(payload);
            assertThat(verifier.verify(signature)).as("signature %d", i).isTrue();
        }
    }

    @Test
    void verifyAcceptsOwnSignatureAndRejectsOthers() {
        AzureKeyVaultCryptoProvider provider = createProvider();
        byte[] signature = provider.sign("", PAYLOAD);

        assertThat(provider.verify("", PAYLOAD, signature)).isTrue();
        assertThat(provider.verify("", "other payload".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(provider.verify("", PAYLOAD, Arrays.copyOf(signature, signature.length - 1))).isFalse();
        assertThat(provider.verify("", PAYLOAD, new byte[] { 1, 2, 3 })).isFalse();
    }

    @Test
    void verifyUsesCachedPublicKeyWithoutRequest() {
        AzureKeyVaultCryptoProvider provider = createProvider();
        byte[] signature = provider.sign("", PAYLOAD);
        standIn.reset();

        assertThat(provider.verify("", PAYLOAD, signature)).isTrue();
        assertThat(standIn.requestCount(KeyVaultOperation.ANY)).isZero();
    }

    @Test
    void publicKeyIsTheSigningKeysP256Key() {
        AzureKeyVaultCryptoProvider provider = createProvider();

        PublicKey publicKey = provider.publicKey("local");

        assertThat(publicKey).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) publicKey).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    @Test
    void emptyKeyVersionRecordsVersionedKeyId() {
        AzureKeyVaultCryptoProvider provider = createProvider();
        String current = standIn.currentKeyId(StandInProviders.ENCRYPTION_KEY);

        provider.encrypt("", PAYLOAD);

        assertThat(provider.encryptionKeyIdentifier("")).isEqualTo(current)
            .matches(standIn.vaultUrl() + "/keys/" + StandInProviders.ENCRYPTION_KEY + "/[0-9a-f]{32}");
        assertThat(provider.signingKeyIdentifier(""))
            .isEqualTo(standIn.currentKeyId(StandInProviders.SIGNING_KEY));
    }

    @Test
    void currentVersionIsResolvedOnce() {
        AzureKeyVaultCryptoProvider provider = createProvider();

        provider.encrypt("", PAYLOAD);
        provider.encrypt("", PAYLOAD);
        provider.sign("", PAYLOAD);
        provider.sign("", PAYLOAD);

        assertThat(standIn.requestCount(KeyVaultOperation.GET_KEY)).isEqualTo(2);
    }

    @Test
    void rotatedKeyKeepsRecordedVersion() {
        String keyName = "rotating";
        String firstVersion = standIn.createRsaKey(keyName, 2048);
        AzureKeyVaultCryptoProvider provider = createProvider();
        byte[] ciphertext = provider.encrypt(keyName, PAYLOAD);

        String secondVersion = standIn.createRsaKey(keyName, 2048);

        assertThat(secondVersion).isNotEqualTo(firstVersion);
        assertThat(provider.encryptionKeyIdentifier(keyName)).isEqualTo(firstVersion);
        assertThat(provider.decrypt(keyName, ciphertext)).isEqualTo(PAYLOAD);
    }

    @Test
    void keyVersionPinsOlderVersion() {
        String keyName = "pinned";
        String first = standIn.createRsaKey(keyName, 2048);
        standIn.createRsaKey(keyName, 2048);
        KmsProperties properties = StandInProviders.properties(standIn);
        properties.setKeyId(keyName);
        properties.getAzure().setKeyVersion(versionOf(first));
        AzureKeyVaultCryptoProvider provider = StandInProviders.create(properties, standIn, this.credential);

        byte[] ciphertext = provider.encrypt("", PAYLOAD);

        assertThat(provider.encryptionKeyIdentifier("")).isEqualTo(first);
        assertThat(provider.decrypt(keyName + "/" + versionOf(first), ciphertext)).isEqualTo(PAYLOAD);
    }

    @Test
    void identifierAndNamedKeyResolve() {
        String keyName = "reports";
        String identifier = standIn.createRsaKey(keyName, 3072);
        KmsProperties properties = StandInProviders.properties(standIn);
        KmsProperties.KeyEntry entry = new KmsProperties.KeyEntry();
        entry.setName("monthly-reports");
        entry.setRemoteKeyId(keyName);
        properties.setKeys(List.of(entry));
        AzureKeyVaultCryptoProvider provider = StandInProviders.create(properties, standIn, this.credential);

        byte[] ciphertext = provider.encrypt(identifier, PAYLOAD);

        assertThat(ciphertext).hasSize(1 + 32 + 384);
        assertThat(provider.decrypt("monthly-reports", ciphertext)).isEqualTo(PAYLOAD);
        assertThat(provider.encryptionKeyIdentifier("monthly-reports")).isEqualTo(identifier);
    }

    @Test
    void oversizedPlaintextRejectedBeforeRequest() {
        AzureKeyVaultCryptoProvider provider = createProvider();
        provider.encrypt("", new byte[214]);
        standIn.reset();

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.encrypt("", new byte[215]))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT))
            .satisfies((ex) -> assertThat(ex.getOperation()).isEqualTo(KmsOperations.ENCRYPT))
            .withMessageContaining("plaintext is 215 bytes")
            .withMessageContaining("2048-bit key encrypts at most 214 bytes");
        assertThat(standIn.requestCount(KeyVaultOperation.ENCRYPT)).isZero();
    }

    @Test
    void wrongLengthCiphertextRejectedBeforeRequest() {
        AzureKeyVaultCryptoProvider provider = createProvider();
        byte[] ciphertext = provider.encrypt("", PAYLOAD);
        standIn.reset();

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> provider.decrypt("", Arrays.copyOf(ciphertext, 255)))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT))
            .withMessageContaining("exactly 256 bytes");
        assertThat(standIn.requestCount(KeyVaultOperation.DECRYPT)).isZero();
    }

    @Test
    void tamperedCiphertextIsInvalidCiphertext() {
        AzureKeyVaultCryptoProvider provider = createProvider();
        byte[] ciphertext = provider.encrypt("", PAYLOAD);
        ciphertext[1 + 32 + 10] ^= 0x01;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.decrypt("", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT))
            .satisfies((ex) -> assertThat(ex.getKeyId()).isEqualTo(StandInProviders.ENCRYPTION_KEY))
            .withMessageContaining("HTTP 400");
    }

    @Test
    void tamperedKeyVersionIsInvalidCiphertext() {
        AzureKeyVaultCryptoProvider provider = createProvider();
        byte[] ciphertext = provider.encrypt("", PAYLOAD);
        ciphertext[10] = (byte) (ciphertext[10] == 'a' ? 'b' : 'a');

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.decrypt("", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT))
            .withMessageContaining("ciphertext names key version");
    }

    @Test
    void ciphertextDecryptsAfterKeyRotation() throws Exception {
        AzureKeyVaultCryptoProvider before = createProvider();
        byte[] ciphertext = before.encrypt("", PAYLOAD);
        before.close();
        standIn.createRsaKey(StandInProviders.ENCRYPTION_KEY, 2048);

        AzureKeyVaultCryptoProvider after = createProvider();
        byte[] newCiphertext = after.encrypt("", PAYLOAD);

        assertThat(after.decrypt("", ciphertext)).isEqualTo(PAYLOAD);
        assertThat(java.util.Arrays.copyOfRange(newCiphertext, 1, 33))
            .isNotEqualTo(java.util.Arrays.copyOfRange(ciphertext, 1, 33));
        after.close();
    }

    @Test
    void rsaKeyIsRejectedForSigning() {
        KmsProperties properties = StandInProviders.properties(standIn);
        properties.setSigningKeyId(StandInProviders.ENCRYPTION_KEY);
        AzureKeyVaultCryptoProvider provider = StandInProviders.create(properties, standIn, this.credential);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.sign("", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .satisfies((ex) -> assertThat(ex.getProvider()).isEqualTo(KmsProviderName.AZURE_KV))
            .withMessageContaining("is a RSA 2048-bit key, but signing needs an EC key on curve P-256 (ES256)");
        assertThat(standIn.requestCount(KeyVaultOperation.SIGN)).isZero();
    }

    @Test
    void p384KeyRejectedForSigning() {
        standIn.createEcKey("p384-signing", "P-384");

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> createProvider().sign("p384-signing", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .withMessageContaining("EC P-384 key");
    }

    @Test
    void ecKeyIsRejectedForEncryption() {
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> createProvider().encrypt(StandInProviders.SIGNING_KEY, PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .withMessageContaining("encryption needs an RSA key");
    }

    @Test
    void malformedKeyIdIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> createProvider().encrypt("no spaces", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .satisfies((ex) -> assertThat(ex.getKeyId()).isEqualTo("no spaces"))
            .withMessageContaining("not a valid Key Vault key name");
    }

    @Test
    void keyIdentifierOfOtherVaultIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> createProvider().encrypt("https://other.vault.azure.net/keys/app", PAYLOAD))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .withMessageContaining("names another vault");
    }

    @Test
    void nullInputIsInvalidInput() {
        AzureKeyVaultCryptoProvider provider = createProvider();

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.encrypt("", null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.verify("", PAYLOAD, null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
    }

    @Test
    void firstRequestAnswersBearerChallenge() throws Exception {
        try (KeyVaultStandIn freshStandIn = KeyVaultStandIn.start()) {
            freshStandIn.createRsaKey(StandInProviders.ENCRYPTION_KEY, 2048);
            freshStandIn.requireToken(TestTokenCredential.TOKEN);
            KmsProperties properties = StandInProviders.properties(freshStandIn);
            AzureKeyVaultCryptoProvider provider = StandInProviders.create(properties, freshStandIn,
                    this.credential);

            provider.decrypt("", provider.encrypt("", PAYLOAD));

            assertThat(freshStandIn.challengeCount()).isEqualTo(1);
            assertThat(this.credential.scopes()).isNotEmpty()
                .allSatisfy((scopes) -> assertThat(scopes).containsExactly(KeyVaultStandIn.RESOURCE + "/.default"));
        }
    }

    private AzureKeyVaultCryptoProvider createProvider() {
        return StandInProviders.create(StandInProviders.properties(standIn), standIn, this.credential);
    }

    private static String versionOf(String keyIdentifier) {
        return keyIdentifier.substring(keyIdentifier.lastIndexOf('/') + 1);
    }
}
