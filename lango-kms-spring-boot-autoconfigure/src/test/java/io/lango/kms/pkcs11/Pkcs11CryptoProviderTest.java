package io.lango.kms.pkcs11;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsProviderName;
import io.lango.kms.testsupport.pkcs11.SoftHsmExtension;
import io.lango.kms.testsupport.pkcs11.SoftHsmToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Operations of {@link Pkcs11CryptoProvider} on a real SoftHSM2 token, checked with plain JCA.
 */
@ExtendWith(SoftHsmExtension.class)
class Pkcs11CryptoProviderTest {

    private static final byte[] PLAINTEXT = "card 4111 1111 1111 1111".getBytes(StandardCharsets.UTF_8);

    private static SoftHsmToken token;

    private static Pkcs11CryptoProvider provider;

    @BeforeAll
    static void connect(SoftHsmToken softHsmToken) {
        token = softHsmToken;
        provider = Pkcs11Tokens.provider(token);
    }

    @AfterAll
    static void close() {
        provider.close();
    }

    @Test
    void encryptDecryptRoundTrip() {
        byte[] ciphertext = provider.encrypt("", PLAINTEXT);

        assertThat(provider.decrypt("default", ciphertext)).isEqualTo(PLAINTEXT);
        assertThat(provider.decrypt("local", ciphertext)).isEqualTo(PLAINTEXT);
        assertThat(provider.decrypt(SoftHsmToken.AES_KEY_LABEL, ciphertext)).isEqualTo(PLAINTEXT);
        assertThat(provider.providerName()).isEqualTo(KmsProviderName.PKCS11);
    }

    @Test
    void ciphertextIsIvThenGcmOutput() throws Exception {
        byte[] ciphertext = provider.encrypt("", PLAINTEXT);

        // 12-byte IV, then the ciphertext (as long as the plaintext), then the 16-byte tag.
        assertThat(ciphertext).hasSize(12 + PLAINTEXT.length + 16);
        byte[] iv = Arrays.copyOfRange(ciphertext, 0, 12);
        byte[] gcmOutput = Arrays.copyOfRange(ciphertext, 12, ciphertext.length);
        assertThat(decryptOutsideProvider(iv, gcmOutput)).isEqualTo(PLAINTEXT);
    }

    @Test
    void encryptUsesFreshIvs() {
        byte[] first = provider.encrypt("", PLAINTEXT);
        byte[] second = provider.encrypt("", PLAINTEXT);

        assertThat(Arrays.copyOf(first, 12)).isNotEqualTo(Arrays.copyOf(second, 12));
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void decryptRejectsTamperedByteThenRecovers() {
        byte[] ciphertext = provider.encrypt("", PLAINTEXT);

        for (int position : new int[] { 0, 11, 12, ciphertext.length - 1 }) {
            byte[] tampered = ciphertext.clone();
            tampered[position] ^= 0x01;
            assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.decrypt("", tampered))
                .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT))
                .satisfies((ex) -> assertThat(ex.isRetryable()).isFalse())
                .withMessageContaining("kms pkcs11 decrypt (key=lango-aes)")
                .withMessageContaining("authentication tag check failed");
            // The failed operation must leave every pooled session usable.
            for (int attempt = 0; attempt < 5; attempt++) {
                assertThat(provider.decrypt("", ciphertext)).isEqualTo(PLAINTEXT);
            }
        }
    }

    @Test
    void decryptRejectsTruncatedCiphertext() {
        byte[] ciphertext = provider.encrypt("", PLAINTEXT);

        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> provider.decrypt("", Arrays.copyOf(ciphertext, 27)))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT))
            .withMessageContaining("27 bytes");
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> provider.decrypt("", Arrays.copyOf(ciphertext, ciphertext.length - 1)))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
    }

    @Test
    void emptyPlaintextRoundTrip() {
        byte[] ciphertext = provider.encrypt("", new byte[0]);

        assertThat(ciphertext).hasSize(28);
        assertThat(provider.decrypt("", ciphertext)).isEmpty();
    }

    @Test
    void signatureVerifiesWithSunEc() throws Exception {
        byte[] payload = "order 42 shipped".getBytes(StandardCharsets.UTF_8);

        byte[] signature = provider.sign("", payload);

        assertThat(verifyWithSunEc(provider.publicKey(""), payload, signature)).isTrue();
        assertThat(provider.verify("", payload, signature)).isTrue();
        assertThat(provider.verify(SoftHsmToken.EC_KEY_LABEL, payload, signature)).isTrue();
    }

    @Test
    void largePayloadSignsWholeDigest() throws Exception {
        byte[] payload = new byte[1024 * 1024];
        new Random(7).nextBytes(payload);

        byte[] signature = provider.sign("", payload);

        assertThat(verifyWithSunEc(provider.publicKey(""), payload, signature)).isTrue();
        assertThat(provider.verify("", payload, signature)).isTrue();
        // A change in the last byte must break the signature, so the whole payload was hashed, not a prefix.
        byte[] changed = payload.clone();
        changed[changed.length - 1] ^= 0x01;
        assertThat(verifyWithSunEc(provider.publicKey(""), changed, signature)).isFalse();
        assertThat(provider.verify("", changed, signature)).isFalse();
    }

    @Test
    void verifyReturnsFalseForBadSignatures() {
        byte[] payload = "invoice".getBytes(StandardCharsets.UTF_8);
        byte[] signature = provider.sign("", payload);
        byte[] flipped = signature.clone();
        flipped[flipped.length - 1] ^= 0x01;

        assertThat(provider.verify("", payload, flipped)).isFalse();
        assertThat(provider.verify("", payload, new byte[] { 0x30, 0x02, 0x01 })).isFalse();
        assertThat(provider.verify("", payload, new byte[0])).isFalse();
        assertThat(provider.verify("", "other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
    }

    @Test
    void verifyAcceptsShortRAndS() throws Exception {
        // A valid signature whose r and s are both below 2^248, made with a software key whose private value is
        // known: r comes from a nonce chosen so that it is short, and the digest is solved for a short s.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "SunEC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair signer = generator.generateKeyPair();
        BigInteger order = ((ECPublicKey) signer.getPublic()).getParams().getOrder();
        BigInteger privateValue = ((ECPrivateKey) signer.getPrivate()).getS();
        BigInteger nonce;
        BigInteger r;
        do {
            KeyPair ephemeral = generator.generateKeyPair();
            nonce = ((ECPrivateKey) ephemeral.getPrivate()).getS();
            r = ((ECPublicKey) ephemeral.getPublic()).getW().getAffineX().mod(order);
        }
        while (r.bitLength() > 248);
        BigInteger s = new BigInteger(247, new Random(11)).setBit(200);
        BigInteger z = s.multiply(nonce).subtract(r.multiply(privateValue)).mod(order);
        byte[] digest = unsigned(z, 32);
        byte[] signature = der(r, s);
        Signature sunEc = Signature.getInstance("NONEwithECDSA", "SunEC");
        sunEc.initVerify(signer.getPublic());
        sunEc.update(digest);
        assertThat(sunEc.verify(signature)).isTrue();
        Provider tokenProvider = Security.getProvider(provider.jcaProviderName());
        PublicKey tokenPublicKey = (PublicKey) KeyFactory.getInstance("EC", tokenProvider)
            .translateKey(signer.getPublic());

        assertThat(Pkcs11CryptoProvider.verifyDigest(tokenProvider, tokenPublicKey, 32, digest, signature)).isTrue();
        byte[] otherDigest = digest.clone();
        otherDigest[0] ^= 0x01;
        assertThat(Pkcs11CryptoProvider.verifyDigest(tokenProvider, tokenPublicKey, 32, otherDigest, signature))
            .isFalse();
    }

    @Test
    void publicKeyIsCertificateKeyOnP256() throws Exception {
        PublicKey publicKey = provider.publicKey("");

        assertThat(publicKey).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) publicKey).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        KeyStore keyStore = outsideKeyStore();
        assertThat(publicKey).isEqualTo(keyStore.getCertificate(SoftHsmToken.EC_KEY_LABEL).getPublicKey());
    }

    @Test
    void otherLabelsAreUsableKeyIds() {
        token.generateAesKey("crypto-test-extra-aes", 256);
        token.generateEcKeyPair("crypto-test-extra-ec", "secp256r1");

        byte[] ciphertext = provider.encrypt("crypto-test-extra-aes", PLAINTEXT);
        byte[] signature = provider.sign("crypto-test-extra-ec", PLAINTEXT);

        assertThat(provider.decrypt("crypto-test-extra-aes", ciphertext)).isEqualTo(PLAINTEXT);
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.decrypt("", ciphertext))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_CIPHERTEXT));
        assertThat(provider.verify("crypto-test-extra-ec", PLAINTEXT, signature)).isTrue();
        assertThat(provider.verify("", PLAINTEXT, signature)).isFalse();
    }

    @Test
    void unknownLabelIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.encrypt("no-such-label", PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .satisfies((ex) -> assertThat(ex.getKeyId()).isEqualTo("no-such-label"))
            .withMessageContaining("kms pkcs11 encrypt (key=no-such-label)")
            .withMessageContaining("no key with label 'no-such-label'")
            .satisfies((ex) -> assertThat(ex.getMessage()).as("labels stay out of run-time errors")
                .doesNotContain(SoftHsmToken.AES_KEY_LABEL));
    }

    @Test
    void labelOfWrongTypeIsInvalidKey() {
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> provider.encrypt(SoftHsmToken.EC_KEY_LABEL, PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .withMessageContaining("names a private key (EC), not an AES secret key");
        assertThatExceptionOfType(KmsException.class)
            .isThrownBy(() -> provider.sign(SoftHsmToken.AES_KEY_LABEL, PLAINTEXT))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_KEY))
            .withMessageContaining("names a secret key (AES), not an EC private key");
    }

    @Test
    void nullInputIsInvalidInput() {
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.encrypt("", null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.decrypt("", null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.sign("", null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
        assertThatExceptionOfType(KmsException.class).isThrownBy(() -> provider.verify("", PLAINTEXT, null))
            .satisfies((ex) -> assertThat(ex.getKind()).isEqualTo(KmsErrorKind.INVALID_INPUT));
    }

    @Test
    void concurrentMixedOperationsAllSucceed() throws Exception {
        int threads = 32;
        int operationsPerThread = 100;
        PublicKey publicKey = provider.publicKey("");
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                int seed = thread;
                results.add(executor.submit(() -> runMixedOperations(seed, operationsPerThread, publicKey)));
            }
            int verifiedSignatures = 0;
            for (Future<Integer> result : results) {
                verifiedSignatures += result.get(2, TimeUnit.MINUTES);
            }
            // Every other operation of each thread is a sign (see runMixedOperations).
            assertThat(verifiedSignatures).isEqualTo(threads * operationsPerThread / 2);
        }
        finally {
            executor.shutdownNow();
        }
    }

    /**
     * Alternates an encrypt/decrypt round trip and a sign/verify, checks each signature with SunEC as well, and
     * returns the number of signatures that SunEC verified.
     */
    private static int runMixedOperations(int seed, int operations, PublicKey publicKey) throws Exception {
        Random random = new Random(seed);
        Signature sunEc = Signature.getInstance("SHA256withECDSA", "SunEC");
        int verified = 0;
        for (int operation = 0; operation < operations; operation++) {
            byte[] payload = new byte[1 + random.nextInt(512)];
            random.nextBytes(payload);
            if (operation % 2 == 0) {
                assertThat(provider.decrypt("", provider.encrypt("", payload))).isEqualTo(payload);
            }
            else {
                byte[] signature = provider.sign("", payload);
                assertThat(provider.verify("", payload, signature)).isTrue();
                sunEc.initVerify(publicKey);
                sunEc.update(payload);
                assertThat(sunEc.verify(signature)).isTrue();
                verified++;
            }
        }
        return verified;
    }

    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        byte[] output = new byte[length];
        int copied = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - copied, output, length - copied, copied);
        return output;
    }

    /** Encodes r and s as a DER SEQUENCE of two INTEGERs; both are short enough for one-byte lengths. */
    private static byte[] der(BigInteger r, BigInteger s) {
        byte[] rBytes = r.toByteArray();
        byte[] sBytes = s.toByteArray();
        byte[] output = new byte[6 + rBytes.length + sBytes.length];
        output[0] = 0x30;
        output[1] = (byte) (4 + rBytes.length + sBytes.length);
        output[2] = 0x02;
        output[3] = (byte) rBytes.length;
        System.arraycopy(rBytes, 0, output, 4, rBytes.length);
        output[4 + rBytes.length] = 0x02;
        output[5 + rBytes.length] = (byte) sBytes.length;
        System.arraycopy(sBytes, 0, output, 6 + rBytes.length, sBytes.length);
        return output;
    }

    private static boolean verifyWithSunEc(PublicKey publicKey, byte[] payload, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSA", "SunEC");
        verifier.initVerify(publicKey);
        verifier.update(payload);
        return verifier.verify(signature);
    }

    /**
     * Decrypts with a separate SunPKCS11 instance, so the check does not rely on the provider's own layout.
     */
    private static byte[] decryptOutsideProvider(byte[] iv, byte[] gcmOutput) throws Exception {
        KeyStore keyStore = outsideKeyStore();
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", keyStore.getProvider());
        cipher.init(Cipher.DECRYPT_MODE, (SecretKey) keyStore.getKey(SoftHsmToken.AES_KEY_LABEL, null),
                new GCMParameterSpec(128, iv));
        return cipher.doFinal(gcmOutput);
    }

    private static KeyStore outsideKeyStore() throws Exception {
        Provider outside = Security.getProvider("SunPKCS11")
            .configure(token.sunPkcs11Configuration("crypto-test-outside"));
        KeyStore keyStore = KeyStore.getInstance("PKCS11", outside);
        keyStore.load(null, token.userPin().toCharArray());
        return keyStore;
    }
}
