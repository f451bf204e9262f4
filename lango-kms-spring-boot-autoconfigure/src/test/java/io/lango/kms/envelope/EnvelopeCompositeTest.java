package io.lango.kms.envelope;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.local.LocalCryptoProvider;
import io.lango.kms.local.LocalKeyStore;
import io.lango.kms.registry.PropertiesKeyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Envelope mode inside the composite: fallback rules, format compatibility and the decrypt-side cache.
 */
class EnvelopeCompositeTest {

    private static final byte[] PLAINTEXT = "payload".getBytes(StandardCharsets.UTF_8);

    private final SwitchableKms kms = new SwitchableKms();

    private final LocalCryptoProvider local = newLocalProvider();

    private final KmsProperties.Envelope settings = new KmsProperties.Envelope();

    private EnvelopeEncryptor encryptor;

    @AfterEach
    void closeEncryptor() {
        if (this.encryptor != null) {
            this.encryptor.close();
        }
    }

    @Test
    void localCiphertextFromOutageDecryptsAfterRecovery() {
        CompositeCryptoProvider composite = composite(true);
        this.kms.down = true;

        byte[] ciphertext = composite.encrypt("alias/app", PLAINTEXT, "ctx".getBytes(StandardCharsets.UTF_8));
        this.kms.down = false;

        assertThat(ciphertext[3]).isEqualTo(KmsProviderName.LOCAL.code());
        assertThat(composite.decrypt("alias/app", ciphertext, "ctx".getBytes(StandardCharsets.UTF_8)))
            .isEqualTo(PLAINTEXT);
        assertThat(composite.fallbackOperationCount()).isEqualTo(1);
    }

    @Test
    void kmsEnvelopeDuringOutageFailsWithUnavailable() {
        CompositeCryptoProvider composite = composite(true);
        byte[] ciphertext = composite.encrypt("alias/app", PLAINTEXT);
        this.kms.down = true;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> composite.decrypt("alias/app", ciphertext))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.UNAVAILABLE);
                assertThat(ex.getProvider()).isEqualTo(KmsProviderName.AWS_KMS);
            });
    }

    @Test
    void accessDeniedWrapDoesNotFallBack() {
        CompositeCryptoProvider composite = composite(true);
        this.kms.failure = KmsErrorKind.ACCESS_DENIED;

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> composite.encrypt("alias/app", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.ACCESS_DENIED));
        assertThat(composite.fallbackOperationCount()).isZero();
    }

    @Test
    void directCiphertextDecryptsInEnvelopeMode() {
        byte[] direct = composite(false).encrypt("alias/app", PLAINTEXT);

        assertThat(direct[2]).isEqualTo((byte) 1);
        assertThat(composite(true).decrypt("alias/app", direct)).isEqualTo(PLAINTEXT);
    }

    @Test
    void envelopeCiphertextDecryptsInDirectMode() {
        byte[] envelope = composite(true).encrypt("alias/app", PLAINTEXT);

        assertThat(composite(false).decrypt("alias/app", envelope)).isEqualTo(PLAINTEXT);
    }

    @Test
    void associatedDataInDirectModeIsInvalidInput() {
        CompositeCryptoProvider composite = composite(false);

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> composite.encrypt("alias/app", PLAINTEXT, new byte[] { 1 }))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT);
                assertThat(ex.getMessage()).contains("security.kms.envelope.enabled=true");
            });
    }

    @Test
    void decryptUnderOtherKeyIsRejected() {
        CompositeCryptoProvider composite = tenantComposite();
        byte[] ciphertext = composite.encrypt("tenantA", PLAINTEXT);

        assertThat(composite.decrypt("tenantA", ciphertext)).isEqualTo(PLAINTEXT);
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> composite.decrypt("tenantB", ciphertext))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT);
                assertThat(ex.getMessage()).contains("encrypted under key 'alias/tenant-a'");
            });
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> composite.decrypt("alias/other", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
        assertThat(this.kms.unwraps).hasValue(1);
    }

    @Test
    void defaultKeyIdsNameOneKey() {
        CompositeCryptoProvider composite = tenantComposite();

        for (String encryptKey : new String[] { "", "default", "local", "alias/app" }) {
            byte[] ciphertext = composite.encrypt(encryptKey, PLAINTEXT);

            assertThat(EnvelopeFormat.parse(ciphertext, KmsProviderName.AWS_KMS, "").keyId()).isEqualTo("alias/app");
            for (String decryptKey : new String[] { "", "default", "local", "alias/app" }) {
                assertThat(composite.decrypt(decryptKey, ciphertext)).as("%s then %s", encryptKey, decryptKey)
                    .isEqualTo(PLAINTEXT);
            }
        }
    }

    @Test
    void fallbackCiphertextKeepsItsKey() {
        CompositeCryptoProvider composite = tenantComposite();
        this.kms.down = true;
        byte[] ciphertext = composite.encrypt("tenantA", PLAINTEXT);
        this.kms.down = false;

        assertThat(composite.decrypt("tenantA", ciphertext)).isEqualTo(PLAINTEXT);
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> composite.decrypt("tenantB", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
    }

    @Test
    void decryptCacheSavesUnwrapCalls() {
        this.settings.getCache().setEnabled(true);
        CompositeCryptoProvider composite = composite(true);
        byte[] ciphertext = composite.encrypt("alias/app", PLAINTEXT);

        for (int i = 0; i < 5; i++) {
            assertThat(composite.decrypt("alias/app", ciphertext)).isEqualTo(PLAINTEXT);
        }

        assertThat(this.kms.unwraps).hasValue(1);
        assertThat(composite.envelopeStatistics().unwrapCallsSaved()).isEqualTo(4);
    }

    @Test
    void cachedUnwrapStillChecksAssociatedData() {
        this.settings.getCache().setEnabled(true);
        CompositeCryptoProvider composite = composite(true);
        byte[] ciphertext = composite.encrypt("alias/app", PLAINTEXT, new byte[] { 1 });
        composite.decrypt("alias/app", ciphertext, new byte[] { 1 });

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> composite.decrypt("alias/app", ciphertext, new byte[] { 2 }))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
    }

    @Test
    void maxBytesStartsNewDataKey() {
        this.settings.getCache().setEnabled(true);
        this.settings.getCache().setMaxBytes(org.springframework.util.unit.DataSize.ofBytes(20));
        CompositeCryptoProvider composite = composite(true);

        for (int i = 0; i < 6; i++) {
            composite.encrypt("alias/app", new byte[10]);
        }

        assertThat(this.kms.wraps).hasValue(3);
    }

    @Test
    void messageOverMaxBytesGetsOwnKey() {
        this.settings.getCache().setEnabled(true);
        this.settings.getCache().setMaxBytes(org.springframework.util.unit.DataSize.ofBytes(5));
        CompositeCryptoProvider composite = composite(true);

        byte[] first = composite.encrypt("alias/app", new byte[10]);
        byte[] second = composite.encrypt("alias/app", new byte[10]);

        assertThat(this.kms.wraps).hasValue(2);
        assertThat(composite.decrypt("alias/app", first)).hasSize(10);
        assertThat(composite.decrypt("alias/app", second)).hasSize(10);
    }

    private CompositeCryptoProvider composite(boolean envelopeEncrypt) {
        if (this.encryptor == null) {
            this.encryptor = new EnvelopeEncryptor(this.settings);
        }
        return new CompositeCryptoProvider(this.kms, this.local, () -> !this.kms.down,
                new PropertiesKeyRegistry(awsProperties()), this.encryptor, envelopeEncrypt);
    }

    /** Properties of an AWS KMS application whose default key is alias/app, the key most tests use. */
    private static KmsProperties awsProperties() {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("aws-kms");
        properties.setKeyId("alias/app");
        return properties;
    }

    /** Composite whose registry maps the names tenantA and tenantB to their own AWS aliases. */
    private CompositeCryptoProvider tenantComposite() {
        KmsProperties properties = new KmsProperties();
        properties.setProvider("aws-kms");
        properties.setKeyId("alias/app");
        properties.getKeys().add(entry("tenantA", "alias/tenant-a"));
        properties.getKeys().add(entry("tenantB", "alias/tenant-b"));
        this.encryptor = new EnvelopeEncryptor(this.settings);
        LocalCryptoProvider fallback = new LocalCryptoProvider(LocalKeyStore.load(properties, (name) -> null));
        return new CompositeCryptoProvider(this.kms, fallback, () -> !this.kms.down,
                new PropertiesKeyRegistry(properties), this.encryptor, true);
    }

    private static KmsProperties.KeyEntry entry(String name, String remoteKeyId) {
        KmsProperties.KeyEntry entry = new KmsProperties.KeyEntry();
        entry.setName(name);
        entry.setRemoteKeyId(remoteKeyId);
        return entry;
    }

    private static LocalCryptoProvider newLocalProvider() {
        return new LocalCryptoProvider(LocalKeyStore.load(new KmsProperties(), (name) -> null));
    }

    /** KMS double over its own local keys, reporting itself as AWS KMS; it can be down or fail with a kind. */
    private static final class SwitchableKms extends ForwardingCryptoProvider {

        final AtomicLong wraps = new AtomicLong();

        final AtomicLong unwraps = new AtomicLong();

        volatile boolean down;

        volatile KmsErrorKind failure;

        SwitchableKms() {
            super(newLocalProvider());
        }

        @Override
        public byte[] encrypt(String keyId, byte[] plaintext) {
            check("encrypt", keyId);
            this.wraps.incrementAndGet();
            return super.encrypt("", plaintext);
        }

        @Override
        public byte[] decrypt(String keyId, byte[] ciphertext) {
            check("decrypt", keyId);
            this.unwraps.incrementAndGet();
            return super.decrypt("", ciphertext);
        }

        @Override
        public KmsProviderName providerName() {
            return KmsProviderName.AWS_KMS;
        }

        private void check(String operation, String keyId) {
            if (this.down) {
                throw new KmsException(KmsProviderName.AWS_KMS, operation, keyId, KmsErrorKind.UNAVAILABLE, "down");
            }
            if (this.failure != null) {
                throw new KmsException(KmsProviderName.AWS_KMS, operation, keyId, this.failure, "injected");
            }
        }
    }
}
