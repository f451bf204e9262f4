package io.lango.kms.local;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.autoconfigure.KmsProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class LocalCryptoProviderTest {

    private static final java.util.function.Function<String, String> NO_ENVIRONMENT = (variable) -> null;

    private final LocalCryptoProvider provider = new LocalCryptoProvider(
            LocalKeyStore.load(propertiesWithKeys(), NO_ENVIRONMENT));

    @Test
    void encryptDecryptRoundTripIsBitExact() {
        byte[] plaintext = new byte[32];
        new SecureRandom().nextBytes(plaintext);
        plaintext[0] = (byte) 0xFF;

        byte[] ciphertext = this.provider.encrypt("default", plaintext);

        assertThat(ciphertext).hasSize(LocalCryptoProvider.IV_LENGTH + 32 + LocalCryptoProvider.TAG_LENGTH);
        assertThat(this.provider.decrypt("local", ciphertext)).isEqualTo(plaintext);
    }

    @Test
    void samePlaintextTwiceGivesDifferentIvsAndCiphertexts() {
        byte[] plaintext = "same".getBytes(StandardCharsets.UTF_8);

        byte[] first = this.provider.encrypt("", plaintext);
        byte[] second = this.provider.encrypt("", plaintext);

        assertThat(java.util.Arrays.copyOf(first, 12)).isNotEqualTo(java.util.Arrays.copyOf(second, 12));
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void tamperedCiphertextFailsWithClearError() {
        byte[] ciphertext = this.provider.encrypt("", "secret".getBytes(StandardCharsets.UTF_8));

        for (int index : new int[] { 0, 11, 12, ciphertext.length - 1 }) {
            byte[] tampered = ciphertext.clone();
            tampered[index] ^= 0x01;

            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt("", tampered))
                .satisfies((ex) -> {
                    assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT);
                    assertThat(ex.getMessage()).startsWith("kms local decrypt (key=): ");
                    assertThat(ex.getMessage()).contains("authentication tag check failed");
                });
        }
    }

    @Test
    void truncatedCiphertextFailsWithClearError() {
        byte[] ciphertext = this.provider.encrypt("", new byte[0]);
        byte[] truncated = java.util.Arrays.copyOf(ciphertext, ciphertext.length - 1);

        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt("", truncated))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT);
                assertThat(ex.getMessage()).contains("27 bytes, shorter than the 28-byte minimum");
            });
    }

    @Test
    void emptyPlaintextRoundTripsEveryTime() {
        for (int i = 0; i < 3; i++) {
            byte[] ciphertext = this.provider.encrypt("", new byte[0]);

            assertThat(ciphertext).hasSize(LocalCryptoProvider.IV_LENGTH + LocalCryptoProvider.TAG_LENGTH);
            assertThat(this.provider.decrypt("", ciphertext)).isEmpty();
        }
    }

    @Test
    void nullPlaintextIsInvalidInput() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("", null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
    }

    @Test
    void signatureVerifiesWithPlainJca() throws Exception {
        byte[] payload = new byte[1024 * 1024];
        new SecureRandom().nextBytes(payload);

        byte[] signature = this.provider.sign("default", payload);

        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(this.provider.publicKey("default"));
        verifier.update(payload);
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(this.provider.verify("", payload, signature)).isTrue();
    }

    @Test
    void wrongOrMalformedSignatureIsFalse() {
        byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
        byte[] signature = this.provider.sign("", payload);

        assertThat(this.provider.verify("", "other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(this.provider.verify("", payload, new byte[] { 1, 2, 3 })).isFalse();
    }

    @Test
    void namedKeysAreSeparateFromDefault() {
        byte[] ciphertext = this.provider.encrypt("orders", new byte[] { 7 });

        assertThat(this.provider.decrypt("orders", ciphertext)).containsExactly(7);
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.decrypt("", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
    }

    @Test
    void unknownKeyIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.encrypt("missing", new byte[1]))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getKeyId()).isEqualTo("missing");
                assertThat(ex.getMessage()).contains("key not found");
            });
    }

    @Test
    void keyOfOtherPurposeIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> this.provider.sign("orders", new byte[1]))
            .satisfies((ex) -> {
                assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY);
                assertThat(ex.getMessage()).contains("not a signing key");
            });
    }

    private static KmsProperties propertiesWithKeys() {
        KmsProperties properties = new KmsProperties();
        KmsProperties.KeyEntry orders = new KmsProperties.KeyEntry();
        orders.setName("orders");
        orders.setType(KmsProperties.KeyType.ENCRYPTION);
        properties.getKeys().add(orders);
        return properties;
    }
}
