package io.lango.kms.composite;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.lango.kms.ConnectionChecker;
import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.local.LocalKeyStore;
import io.lango.kms.registry.PropertiesKeyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Pure routing logic of the composite; the backends' own tests run the same rules against real stand-ins.
 */
@ExtendWith(OutputCaptureExtension.class)
class CompositeCryptoProviderTest {

    private static final byte[] PLAINTEXT = "payload".getBytes(StandardCharsets.UTF_8);

    private final FakeKms kms = new FakeKms();

    private final LocalCryptoProvider local = new LocalCryptoProvider(
            LocalKeyStore.load(new KmsProperties(), (variable) -> null));

    private final AtomicBoolean connected = new AtomicBoolean(true);

    private final CompositeCryptoProvider composite = new CompositeCryptoProvider(this.kms, this.local,
            this.connected::get, new PropertiesKeyRegistry(awsProperties()));

    @Test
    void reachablePrimaryServesAndHeaderNamesIt() {
        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);

        assertThat(ciphertext[0]).isEqualTo((byte) 'L');
        assertThat(ciphertext[3]).isEqualTo(KmsProviderName.AWS_KMS.code());
        assertThat(this.composite.decrypt("alias/app", ciphertext)).isEqualTo(PLAINTEXT);
        assertThat(this.composite.lastServedBy()).isEqualTo(KmsProviderName.AWS_KMS);
        assertThat(this.composite.fallbackOperationCount()).isZero();
    }

    @Test
    void unavailablePrimaryFallsBackToLocal() {
        this.kms.failure = KmsErrorKind.UNAVAILABLE;

        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);

        assertThat(ciphertext[3]).isEqualTo(KmsProviderName.LOCAL.code());
        assertThat(this.composite.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
        assertThat(this.composite.fallbackOperationCount()).isEqualTo(1);
    }

    @Test
    void checkerReportingDownSkipsPrimary() {
        this.connected.set(false);

        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);

        assertThat(ciphertext[3]).isEqualTo(KmsProviderName.LOCAL.code());
        assertThat(this.kms.calls).hasValue(0);
    }

    @Test
    void failingButReachableCheckerDoesNotFallBack() {
        ConnectionChecker accessDenied = new ConnectionChecker() {

            @Override
            public boolean isConnected() {
                return false;
            }

            @Override
            public boolean isUnreachable() {
                return false;
            }
        };
        CompositeCryptoProvider composite = new CompositeCryptoProvider(this.kms, this.local, accessDenied,
                new PropertiesKeyRegistry(awsProperties()));
        this.kms.failure = KmsErrorKind.ACCESS_DENIED;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> composite.encrypt("alias/app", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED));
        assertThat(composite.fallbackOperationCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = KmsErrorKind.class, names = { "ACCESS_DENIED", "KEY_DISABLED", "INVALID_KEY", "THROTTLED" })
    void otherErrorsDoNotFallBack(KmsErrorKind kind) {
        this.kms.failure = kind;

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.encrypt("alias/app", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(kind));
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.sign("alias/app", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(kind));
        assertThat(this.composite.fallbackOperationCount()).isZero();
    }

    @Test
    void localCiphertextFromOutageDecryptsAfterRecovery() {
        this.kms.failure = KmsErrorKind.UNAVAILABLE;
        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);

        this.kms.failure = null;

        assertThat(this.composite.decrypt("alias/app", ciphertext)).isEqualTo(PLAINTEXT);
        assertThat(this.composite.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
        assertThat(this.composite.encrypt("alias/app", PLAINTEXT)[3]).isEqualTo(KmsProviderName.AWS_KMS.code());
    }

    @Test
    void kmsCiphertextDuringOutageFailsFastNamingProvider() {
        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);
        this.connected.set(false);
        this.kms.calls.set(0);

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.decrypt("alias/app", ciphertext))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
                assertThat(ex.getProvider()).isEqualTo(KmsProviderName.AWS_KMS);
                assertThat(ex.getMessage()).contains("made by aws-kms, which is unreachable");
            });
        assertThat(this.kms.calls).hasValue(0);
    }

    @Test
    void kmsCiphertextIsNeverDecryptedLocally() {
        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);
        this.kms.failure = KmsErrorKind.UNAVAILABLE;

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.decrypt("alias/app", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
    }

    @Test
    void signFallsBackAndVerifiesDuringOutage() throws Exception {
        this.kms.failure = KmsErrorKind.UNAVAILABLE;

        byte[] signature = this.composite.sign("alias/app", PLAINTEXT);

        assertThat(this.composite.verify("alias/app", PLAINTEXT, signature)).isTrue();
        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(this.local.publicKey(""));
        verifier.update(PLAINTEXT);
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void keyWithoutLocalCounterpartDoesNotFallBack() {
        this.kms.failure = KmsErrorKind.UNAVAILABLE;

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.encrypt("alias/tenant-a", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.composite.sign("alias/tenant-a", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
        assertThat(this.composite.fallbackOperationCount()).isZero();
    }

    @Test
    void fallbackCiphertextNeedsItsOwnKeyId() {
        this.connected.set(false);
        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);
        this.connected.set(true);

        assertThat(this.composite.decrypt("default", ciphertext)).isEqualTo(PLAINTEXT);
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.decrypt("alias/tenant-b", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
    }

    @Test
    void fallbackSignatureFailsUnderOtherKey() {
        this.connected.set(false);
        byte[] signature = this.composite.sign("alias/app", PLAINTEXT);
        this.connected.set(true);

        assertThat(this.composite.verify("alias/other-signer", PLAINTEXT, signature)).isFalse();
    }

    @Test
    void rejectionThenOutageDoesNotFallBack() {
        this.kms.failure = KmsErrorKind.ACCESS_DENIED;
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.composite.encrypt("alias/app", PLAINTEXT));

        this.kms.failure = KmsErrorKind.UNAVAILABLE;
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.composite.encrypt("alias/app", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
        assertThat(this.composite.fallbackOperationCount()).isZero();

        this.kms.failure = null;
        this.composite.encrypt("alias/app", PLAINTEXT);
        this.kms.failure = KmsErrorKind.UNAVAILABLE;
        assertThat(this.composite.encrypt("alias/app", PLAINTEXT)[3]).as("fallback again after a success")
            .isEqualTo(KmsProviderName.LOCAL.code());
    }

    @Test
    void fallbackSignatureVerifiesAfterRecovery() {
        this.kms.failure = KmsErrorKind.UNAVAILABLE;
        byte[] signature = this.composite.sign("alias/app", PLAINTEXT);
        this.kms.failure = null;

        assertThat(this.composite.verify("alias/app", PLAINTEXT, signature)).isTrue();
        assertThat(this.composite.lastServedBy()).isEqualTo(KmsProviderName.LOCAL);
        assertThat(this.composite.verify("alias/app", "other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
    }

    @Test
    void fallbackSignatureVerifiesWhileKmsAnswersFalse() {
        byte[] kmsSignature = this.composite.sign("alias/app", PLAINTEXT);
        this.connected.set(false);
        byte[] localSignature = this.composite.sign("alias/app", PLAINTEXT);

        assertThat(this.composite.verify("alias/app", PLAINTEXT, localSignature)).isTrue();
        assertThat(this.composite.verify("alias/app", PLAINTEXT, kmsSignature)).isTrue();
    }

    @Test
    void signatureOfOtherKeyIsFalse() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
        signer.initSign(generator.generateKeyPair().getPrivate());
        signer.update(PLAINTEXT);

        assertThat(this.composite.verify("alias/app", PLAINTEXT, signer.sign())).isFalse();
    }

    @Test
    void unverifiableSignatureDuringOutageRethrows() {
        byte[] signature = this.composite.sign("alias/app", PLAINTEXT);
        this.kms.failure = KmsErrorKind.UNAVAILABLE;

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.verify("alias/app", PLAINTEXT, signature))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
    }

    @Test
    void publicKeyNeverComesFromFallback() {
        this.kms.failure = KmsErrorKind.UNAVAILABLE;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.composite.publicKey("alias/app"));
    }

    @Test
    void switchIsLoggedOncePerDirection(CapturedOutput output) {
        this.kms.failure = KmsErrorKind.UNAVAILABLE;
        for (int i = 0; i < 5; i++) {
            this.composite.encrypt("alias/app", PLAINTEXT);
        }
        this.kms.failure = null;
        for (int i = 0; i < 5; i++) {
            this.composite.encrypt("alias/app", PLAINTEXT);
        }

        assertThat(output.getOut().split("fall back to local keys", -1)).hasSize(2);
        assertThat(output.getOut().split("is reachable again", -1)).hasSize(2);
        assertThat(this.composite.fallbackOperationCount()).isEqualTo(5);
    }

    @Test
    void withoutFallbackUnavailableIsRethrown() {
        CompositeCryptoProvider noFallback = new CompositeCryptoProvider(this.kms, null, () -> false,
                new PropertiesKeyRegistry(awsProperties()));
        this.kms.failure = KmsErrorKind.UNAVAILABLE;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> noFallback.encrypt("alias/app", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE));
        assertThat(noFallback.isFallbackEnabled()).isFalse();
    }

    @Test
    void missingOrTamperedHeaderIsInvalidCiphertext() {
        byte[] ciphertext = this.composite.encrypt("alias/app", PLAINTEXT);
        byte[] wrongVersion = ciphertext.clone();
        wrongVersion[2] = 9;

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.decrypt("alias/app", new byte[] { 1, 2 }))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.decrypt("alias/app", wrongVersion))
            .satisfies((ex) -> assertThat(ex.getMessage()).contains("version 9 is not supported"));
    }

    @Test
    void ciphertextOfOtherProviderNamesIt() {
        byte[] gcpCiphertext = CiphertextHeader.prepend(KmsProviderName.GCP_KMS, new byte[] { 1 });

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> this.composite.decrypt("alias/app", gcpCiphertext))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT);
                assertThat(ex.getMessage()).contains("security.kms.provider=gcp-kms");
            });
    }

    @Test
    void registryNameIsSentAsRemoteKeyId() {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("aws-kms");
        KmsProperties.KeyEntry entry = new KmsProperties.KeyEntry();
        entry.setName("orders");
        entry.setRemoteKeyId("alias/orders");
        properties.getKeys().add(entry);
        CompositeCryptoProvider named = new CompositeCryptoProvider(this.kms, this.local, this.connected::get,
                new PropertiesKeyRegistry(properties));

        named.encrypt("orders", PLAINTEXT);

        assertThat(this.kms.lastKeyId).isEqualTo("alias/orders");
    }

    /** Properties of an AWS KMS application whose default key is alias/app, the key most tests use. */
    private static KmsProperties awsProperties() {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("aws-kms");
        properties.setKeyId("alias/app");
        return properties;
    }

    /** KMS double over a second local key set, reporting itself as AWS KMS, that can fail with any kind. */
    private static final class FakeKms implements CryptoProvider {

        private final LocalCryptoProvider keys = new LocalCryptoProvider(
                LocalKeyStore.load(new KmsProperties(), (variable) -> null));

        final AtomicInteger calls = new AtomicInteger();

        volatile KmsErrorKind failure;

        volatile String lastKeyId;

        @Override
        public byte[] sign(String keyId, byte[] payload) {
            check("sign", keyId);
            return this.keys.sign("", payload);
        }

        @Override
        public boolean verify(String keyId, byte[] payload, byte[] signature) {
            check("verify", keyId);
            return this.keys.verify("", payload, signature);
        }

        @Override
        public byte[] encrypt(String keyId, byte[] plaintext) {
            check("encrypt", keyId);
            return this.keys.encrypt("", plaintext);
        }

        @Override
        public byte[] decrypt(String keyId, byte[] ciphertext) {
            check("decrypt", keyId);
            return this.keys.decrypt("", ciphertext);
        }

        @Override
        public PublicKey publicKey(String keyId) {
            check("public-key", keyId);
            return this.keys.publicKey("");
        }

        @Override
        public KmsProviderName providerName() {
            return KmsProviderName.AWS_KMS;
        }

        private void check(String operation, String keyId) {
            this.calls.incrementAndGet();
            this.lastKeyId = keyId;
            KmsErrorKind kind = this.failure;
            if (kind != null) {
                throw new KmsException(KmsProviderName.AWS_KMS, operation, keyId, kind, "injected " + kind);
            }
        }
    }
}
