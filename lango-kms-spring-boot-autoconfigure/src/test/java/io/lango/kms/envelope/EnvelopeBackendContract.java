package io.lango.kms.envelope;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.autoconfigure.KmsProperties;
import io.lango.kms.composite.CompositeCryptoProvider;
import io.lango.kms.registry.PropertiesKeyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Envelope behaviour that every backend must show; each backend's test extends this class with its real provider
 * against its stand-in.
 */
public abstract class EnvelopeBackendContract {

    private final List<EnvelopeEncryptor> encryptors = new ArrayList<>();

    /**
     * Returns the backend provider under test, connected to its stand-in.
     */
    protected abstract CryptoProvider backend();

    /**
     * Returns the key id that wraps data keys on the backend.
     */
    protected abstract String wrappingKeyId();

    /**
     * Returns how many encrypt (wrap) requests the backend's stand-in has served so far, or -1 when the stand-in
     * cannot count them, which skips the tests that count.
     */
    protected abstract long wrapRequestsServed();

    @AfterEach
    void closeEncryptors() {
        this.encryptors.forEach(EnvelopeEncryptor::close);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = { 0, 1, 4097, 1024 * 1024, 10 * 1024 * 1024 })
    void payloadRoundTripsBitExact(int size) {
        CompositeCryptoProvider provider = composite(new KmsProperties.Envelope());
        byte[] plaintext = randomBytes(size);

        byte[] ciphertext = provider.encrypt(wrappingKeyId(), plaintext);

        assertThat(EnvelopeFormat.isEnvelope(ciphertext)).isTrue();
        assertThat(provider.decrypt(wrappingKeyId(), ciphertext)).isEqualTo(plaintext);
    }

    @Test
    void associatedDataRoundTrips() {
        CompositeCryptoProvider provider = composite(new KmsProperties.Envelope());
        byte[] aad = "tenant=42".getBytes(StandardCharsets.UTF_8);

        byte[] ciphertext = provider.encrypt(wrappingKeyId(), randomBytes(100), aad);

        assertThat(provider.decrypt(wrappingKeyId(), ciphertext, aad)).hasSize(100);
    }

    @Test
    void changedAssociatedDataFails() {
        CompositeCryptoProvider provider = composite(new KmsProperties.Envelope());
        byte[] ciphertext = provider.encrypt(wrappingKeyId(), randomBytes(100),
                "tenant=42".getBytes(StandardCharsets.UTF_8));

        assertInvalidCiphertext(() -> provider.decrypt(wrappingKeyId(), ciphertext,
                "tenant=43".getBytes(StandardCharsets.UTF_8)), "authentication tag check failed");
        assertInvalidCiphertext(() -> provider.decrypt(wrappingKeyId(), ciphertext), "authentication tag check failed");
    }

    @Test
    void changedHeaderByteFails() {
        CompositeCryptoProvider provider = composite(new KmsProperties.Envelope());
        byte[] ciphertext = provider.encrypt(wrappingKeyId(), randomBytes(100));
        EnvelopeFormat.EnvelopeCiphertext parsed = EnvelopeFormat.parse(ciphertext, backend().providerName(), "");

        for (int index : new int[] { 0, 2, 3, 5, parsed.header().length - 1 }) {
            byte[] tampered = ciphertext.clone();
            tampered[index] ^= 0x01;

            assertThatExceptionOfType(KmsException.class).as("header byte %d", index)
                .isThrownBy(() -> provider.decrypt(wrappingKeyId(), tampered))
                .satisfies((ex) -> assertThat(ex.getKind()).isIn(KmsErrorKind.INVALID_CIPHERTEXT,
                        KmsErrorKind.INVALID_KEY, KmsErrorKind.INVALID_INPUT));
        }
    }

    @Test
    void swappedWrappedKeyFails() {
        CompositeCryptoProvider provider = composite(new KmsProperties.Envelope());
        byte[] first = provider.encrypt(wrappingKeyId(), randomBytes(100));
        byte[] second = provider.encrypt(wrappingKeyId(), randomBytes(100));
        EnvelopeFormat.EnvelopeCiphertext one = EnvelopeFormat.parse(first, backend().providerName(), "");
        EnvelopeFormat.EnvelopeCiphertext two = EnvelopeFormat.parse(second, backend().providerName(), "");
        byte[] header = EnvelopeFormat.header(one.provider(), one.keyId(), two.wrappedKey());
        byte[] swapped = concat(header, one.iv(), one.sealed());

        assertInvalidCiphertext(() -> provider.decrypt(wrappingKeyId(), swapped), "authentication tag check failed");
    }

    @Test
    void cachedDataKeyLimitsWrapRequests() {
        KmsProperties.Envelope settings = new KmsProperties.Envelope();
        settings.getCache().setEnabled(true);
        settings.getCache().setMaxMessages(1000);
        assumeTrue(wrapRequestsServed() >= 0, "the stand-in does not count requests");
        CompositeCryptoProvider provider = composite(settings);
        byte[] plaintext = randomBytes(64);
        long before = wrapRequestsServed();

        byte[] last = null;
        for (int i = 0; i < 10_000; i++) {
            last = provider.encrypt(wrappingKeyId(), plaintext);
        }

        assertThat(wrapRequestsServed() - before).isLessThanOrEqualTo(10);
        assertThat(provider.envelopeStatistics().wrapCallsSaved()).isGreaterThanOrEqualTo(9_990);
        assertThat(provider.decrypt(wrappingKeyId(), last)).isEqualTo(plaintext);
    }

    @Test
    void uncachedEncryptWrapsEveryTime() {
        assumeTrue(wrapRequestsServed() >= 0, "the stand-in does not count requests");
        CompositeCryptoProvider provider = composite(new KmsProperties.Envelope());
        long before = wrapRequestsServed();

        for (int i = 0; i < 20; i++) {
            provider.encrypt(wrappingKeyId(), randomBytes(16));
        }

        assertThat(wrapRequestsServed() - before).isEqualTo(20);
    }

    /**
     * Returns a composite over the backend alone (no fallback, always connected) with envelope encryption on.
     */
    protected CompositeCryptoProvider composite(KmsProperties.Envelope settings) {
        EnvelopeEncryptor encryptor = new EnvelopeEncryptor(settings);
        this.encryptors.add(encryptor);
        return new CompositeCryptoProvider(backend(), null, () -> true,
                new PropertiesKeyRegistry(new KmsProperties()), encryptor, true);
    }

    protected static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static void assertInvalidCiphertext(Runnable decrypt, String message) {
        assertThatExceptionOfType(KmsException.class).isThrownBy(decrypt::run).satisfies((ex) -> {
            assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT);
            assertThat(ex.getMessage()).contains(message);
        });
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] result = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, result, offset, part.length);
            offset += part.length;
        }
        return result;
    }
}
