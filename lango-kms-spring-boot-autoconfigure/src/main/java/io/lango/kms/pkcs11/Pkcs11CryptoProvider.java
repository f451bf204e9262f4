package io.lango.kms.pkcs11;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.lango.kms.CryptoProvider;
import io.lango.kms.KmsErrorKind;
import io.lango.kms.KmsException;
import io.lango.kms.KmsOperations;
import io.lango.kms.KmsProviderName;
import io.lango.kms.support.EcdsaSha256;
import io.lango.kms.support.SignatureFormats;

/**
 * {@link CryptoProvider} on a PKCS#11 token through the JDK's SunPKCS11 provider: {@code CKM_AES_GCM} for
 * encryption and {@code CKM_ECDSA} on the SHA-256 digest for signatures.
 *
 * <p>Ciphertext is a fresh random 12-byte IV followed by the GCM output (ciphertext and 128-bit tag). A signature
 * is DER-encoded ECDSA over the SHA-256 digest of the payload, so it verifies with {@code SHA256withECDSA} and
 * {@link #publicKey(String)}. Key ids are labels ({@code CKA_LABEL}); {@code "local"}, {@code "default"} and
 * {@code ""} name the configured key labels. Every keyed JCA call names the configured SunPKCS11 instance, so a
 * wrong configuration fails instead of falling through to another provider. The payload digest and the IV are
 * made in the JVM, because they need no key and this keeps large payloads off the link to the HSM.
 *
 * <p>Operations run concurrently: each creates its own {@link Cipher} or {@link Signature}, and SunPKCS11 takes a
 * session from its pool for it. The provider connects on first use when the token was unavailable at start-up,
 * and then runs the same start-up check. When the token's login or key handles are lost, an operation logs in
 * again and is repeated once.
 *
 * <p>NOTE: SunPKCS11 has no timeout, so {@code security.kms.timeout-per-operation} does not bound a call that the
 * PKCS#11 module blocks in; set the timeouts in the HSM vendor's client configuration.
 */
public final class Pkcs11CryptoProvider implements CryptoProvider {

    /** Length of the GCM IV, the size NIST SP 800-38D recommends. */
    public static final int IV_LENGTH = 12;

    /** Length of the GCM authentication tag in bytes (128 bits). */
    public static final int TAG_LENGTH = 16;

    static final String AES_GCM = "AES/GCM/NoPadding";

    static final String NONE_WITH_ECDSA = "NONEwithECDSA";

    /** {@code CKM_ECDSA} on a digest with a fixed-length {@code r || s} signature, which is converted here. */
    static final String NONE_WITH_ECDSA_P1363 = "NONEwithECDSAinP1363Format";

    private static final Log logger = LogFactory.getLog(Pkcs11CryptoProvider.class);

    private static final byte[] CHECK_PAYLOAD = "lango-kms pkcs11 start-up check".getBytes(StandardCharsets.US_ASCII);

    private final Pkcs11Settings settings;

    private final Function<Pkcs11Settings, Pkcs11Token> connector;

    private final Object connectLock = new Object();

    private final SecureRandom random = new SecureRandom();

    private volatile Pkcs11Token token;

    private volatile boolean closed;

    /**
     * Creates a provider that opens its token with {@code connector} on {@link #connect()} or first use.
     */
    Pkcs11CryptoProvider(Pkcs11Settings settings, Function<Pkcs11Settings, Pkcs11Token> connector) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connector = Objects.requireNonNull(connector, "connector");
    }

    /**
     * Opens and logs in to the token and checks the mechanisms and the default keys, unless already connected.
     */
    void connect() {
        connectedToken();
    }

    @Override
    public byte[] encrypt(String keyId, byte[] plaintext) {
        requireInput(KmsOperations.ENCRYPT, keyId, plaintext, "plaintext");
        String label = encryptionLabel(keyId);
        return run(KmsOperations.ENCRYPT, label, "AES-GCM encryption failed",
                (current) -> encryptWith(current, KmsOperations.ENCRYPT, label, plaintext));
    }

    @Override
    public byte[] decrypt(String keyId, byte[] ciphertext) {
        requireInput(KmsOperations.DECRYPT, keyId, ciphertext, "ciphertext");
        String label = encryptionLabel(keyId);
        if (ciphertext.length < IV_LENGTH + TAG_LENGTH) {
            throw new KmsException(KmsProviderName.PKCS11, KmsOperations.DECRYPT, label,
                    KmsErrorKind.INVALID_CIPHERTEXT,
                    "ciphertext is %d bytes, shorter than the %d-byte minimum (%d-byte IV and %d-byte tag); it is truncated or not from this provider"
                        .formatted(ciphertext.length, IV_LENGTH + TAG_LENGTH, IV_LENGTH, TAG_LENGTH));
        }
        return run(KmsOperations.DECRYPT, label, "AES-GCM decryption failed",
                (current) -> decryptWith(current, KmsOperations.DECRYPT, label, ciphertext));
    }

    @Override
    public byte[] sign(String keyId, byte[] payload) {
        requireInput(KmsOperations.SIGN, keyId, payload, "payload");
        String label = signingLabel(keyId);
        byte[] digest = EcdsaSha256.digest(payload);
        return run(KmsOperations.SIGN, label, "ECDSA signing failed",
                (current) -> signWith(current, KmsOperations.SIGN, label, digest));
    }

    @Override
    public boolean verify(String keyId, byte[] payload, byte[] signature) {
        requireInput(KmsOperations.VERIFY, keyId, payload, "payload");
        requireInput(KmsOperations.VERIFY, keyId, signature, "signature");
        String label = signingLabel(keyId);
        byte[] digest = EcdsaSha256.digest(payload);
        return run(KmsOperations.VERIFY, label, "ECDSA verification failed",
                (current) -> verifyWith(current, KmsOperations.VERIFY, label, digest, signature));
    }

    @Override
    public PublicKey publicKey(String keyId) {
        String label = signingLabel(keyId);
        return run(KmsOperations.PUBLIC_KEY, label, "reading the public key failed",
                (current) -> current.signingKey(KmsOperations.PUBLIC_KEY, label).publicKey());
    }

    @Override
    public KmsProviderName providerName() {
        return KmsProviderName.PKCS11;
    }

    /**
     * Logs out when no other provider of this JVM uses the slot, closes the sessions, and removes the SunPKCS11
     * instance from the JCA provider list; later operations fail with {@link KmsErrorKind#UNAVAILABLE}.
     */
    @Override
    public void close() {
        Pkcs11Token current;
        synchronized (this.connectLock) {
            this.closed = true;
            current = this.token;
            this.token = null;
        }
        if (current != null) {
            current.close();
        }
    }

    /**
     * Returns the name of the SunPKCS11 instance in the JCA provider list, or null when not connected.
     */
    String jcaProviderName() {
        Pkcs11Token current = this.token;
        return (current != null) ? current.provider().getName() : null;
    }

    private Pkcs11Token connectedToken() {
        Pkcs11Token current = this.token;
        if (current != null) {
            return current;
        }
        synchronized (this.connectLock) {
            if (this.closed) {
                throw new KmsException(KmsProviderName.PKCS11, KmsOperations.START_UP, this.settings.keyLabel(),
                        KmsErrorKind.UNAVAILABLE, "the PKCS#11 provider is closed");
            }
            if (this.token == null) {
                this.token = openAndCheck();
            }
            return this.token;
        }
    }

    private Pkcs11Token openAndCheck() {
        Pkcs11Token opened = this.connector.apply(this.settings);
        try {
            check(opened);
        }
        catch (RuntimeException ex) {
            opened.close();
            throw ex;
        }
        logger.info("Connected to the PKCS#11 token in %s of %s as JCA provider %s; AES key '%s' and signing key '%s' passed the start-up check"
            .formatted(this.settings.slotDescription(), this.settings.modulePath(), opened.provider().getName(),
                    this.settings.keyLabel(), this.settings.signingKeyLabel()));
        return opened;
    }

    /**
     * Checks that the token offers the mechanisms, that the default keys exist with the right types, and that an
     * encrypt/decrypt and a sign/verify round trip with them succeed.
     */
    private void check(Pkcs11Token opened) {
        String keyLabel = this.settings.keyLabel();
        String signingLabel = this.settings.signingKeyLabel();
        requireMechanism(opened, "Cipher", AES_GCM, "CKM_AES_GCM", keyLabel);
        requireMechanism(opened, "Signature", NONE_WITH_ECDSA, "CKM_ECDSA", signingLabel);
        checkEncryption(opened, keyLabel);
        checkSigning(opened, signingLabel);
    }

    private void checkEncryption(Pkcs11Token opened, String label) {
        String operation = KmsOperations.START_UP;
        opened.secretKey(operation, label);
        try {
            byte[] ciphertext = encryptWith(opened, operation, label, CHECK_PAYLOAD);
            if (!Arrays.equals(CHECK_PAYLOAD, decryptWith(opened, operation, label, ciphertext))) {
                throw new KmsException(KmsProviderName.PKCS11, operation, label, KmsErrorKind.INTEGRITY,
                        "the AES-GCM round trip returned other bytes than were encrypted");
            }
        }
        catch (GeneralSecurityException | ProviderException ex) {
            throw Pkcs11Errors.failure(operation, label, "an AES-GCM round trip with the key failed", ex);
        }
    }

    private static void checkSigning(Pkcs11Token opened, String label) {
        String operation = KmsOperations.START_UP;
        opened.signingKey(operation, label);
        try {
            byte[] digest = EcdsaSha256.digest(CHECK_PAYLOAD);
            if (!verifyWith(opened, operation, label, digest, signWith(opened, operation, label, digest))) {
                throw new KmsException(KmsProviderName.PKCS11, operation, label, KmsErrorKind.INVALID_KEY,
                        "a signature made with the private key does not verify with the certificate's public key, "
                                + "so the certificate with label '%s' belongs to another key".formatted(label));
            }
        }
        catch (GeneralSecurityException | ProviderException ex) {
            throw Pkcs11Errors.failure(operation, label, "an ECDSA sign and verify round trip with the key failed", ex);
        }
    }

    private static void requireMechanism(Pkcs11Token opened, String type, String algorithm, String mechanism,
            String label) {
        // SunPKCS11 registers an algorithm only when the token lists the PKCS#11 mechanism behind it.
        if (opened.provider().getService(type, algorithm) == null) {
            throw new KmsException(KmsProviderName.PKCS11, KmsOperations.START_UP, label, KmsErrorKind.INVALID_KEY,
                    "the token does not support %s, which %s %s needs".formatted(mechanism, type, algorithm));
        }
    }

    private byte[] encryptWith(Pkcs11Token current, String operation, String label, byte[] plaintext)
            throws GeneralSecurityException {
        byte[] iv = new byte[IV_LENGTH];
        this.random.nextBytes(iv);
        Cipher cipher = Cipher.getInstance(AES_GCM, current.provider());
        // Without explicit parameters SunPKCS11 would choose a 16-byte IV itself.
        cipher.init(Cipher.ENCRYPT_MODE, current.secretKey(operation, label), new GCMParameterSpec(TAG_LENGTH * 8, iv));
        byte[] sealed = cipher.doFinal(plaintext);
        byte[] output = Arrays.copyOf(iv, IV_LENGTH + sealed.length);
        System.arraycopy(sealed, 0, output, IV_LENGTH, sealed.length);
        return output;
    }

    private static byte[] decryptWith(Pkcs11Token current, String operation, String label, byte[] ciphertext)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(AES_GCM, current.provider());
        cipher.init(Cipher.DECRYPT_MODE, current.secretKey(operation, label),
                new GCMParameterSpec(TAG_LENGTH * 8, ciphertext, 0, IV_LENGTH));
        return cipher.doFinal(ciphertext, IV_LENGTH, ciphertext.length - IV_LENGTH);
    }

    private static byte[] signWith(Pkcs11Token current, String operation, String label, byte[] digest)
            throws GeneralSecurityException {
        Signature signer = Signature.getInstance(NONE_WITH_ECDSA, current.provider());
        signer.initSign(current.signingKey(operation, label).privateKey());
        signer.update(digest);
        return signer.sign();
    }

    private static boolean verifyWith(Pkcs11Token current, String operation, String label, byte[] digest,
            byte[] signature) throws GeneralSecurityException {
        Pkcs11Token.SigningKey key = current.signingKey(operation, label);
        int length = (key.publicKey().getParams().getOrder().bitLength() + 7) / 8;
        return verifyDigest(current.provider(), key.tokenPublicKey(), length, digest, signature);
    }

    /**
     * Verifies a DER signature over {@code digest} on the token; {@code length} is the byte length of the curve
     * order, 32 for P-256.
     */
    static boolean verifyDigest(Provider provider, PublicKey tokenPublicKey, int length, byte[] digest,
            byte[] signature) throws GeneralSecurityException {
        byte[] p1363;
        try {
            p1363 = SignatureFormats.derToP1363(signature, length);
        }
        catch (IllegalArgumentException ex) {
            // A signature that is not strict DER cannot match, which is a normal "false", not an error.
            return false;
        }
        Signature verifier = Signature.getInstance(NONE_WITH_ECDSA_P1363, provider);
        verifier.initVerify(tokenPublicKey);
        verifier.update(digest);
        try {
            return verifier.verify(p1363);
        }
        catch (SignatureException ex) {
            // SunPKCS11 raises this for a signature value that it cannot pass to the token.
            return false;
        }
    }

    /**
     * Runs {@code action} on the connected token; when it fails because the login or a key handle was lost, logs in
     * again and runs it once more.
     */
    private <T> T run(String operation, String label, String detail, TokenAction<T> action) {
        Pkcs11Token current = connectedToken();
        long generation = current.loginGeneration();
        try {
            return action.apply(current);
        }
        catch (GeneralSecurityException | ProviderException ex) {
            if (!isLoginLost(ex)) {
                throw failure(operation, label, detail, ex);
            }
            current.recoverLogin(operation, label, generation);
        }
        try {
            return action.apply(current);
        }
        catch (GeneralSecurityException | ProviderException ex) {
            throw failure(operation, label, detail, ex);
        }
    }

    private static boolean isLoginLost(Throwable error) {
        return Pkcs11Errors.returnValue(error)
            .filter((value) -> value == Pkcs11ReturnValue.CKR_USER_NOT_LOGGED_IN
                    || value == Pkcs11ReturnValue.CKR_OBJECT_HANDLE_INVALID
                    || value == Pkcs11ReturnValue.CKR_KEY_HANDLE_INVALID)
            .isPresent();
    }

    private static KmsException failure(String operation, String label, String detail, Throwable error) {
        if (error instanceof AEADBadTagException) {
            return new KmsException(KmsProviderName.PKCS11, operation, label, KmsErrorKind.INVALID_CIPHERTEXT,
                    "authentication tag check failed: the ciphertext was changed or was made with another key", error);
        }
        return Pkcs11Errors.failure(operation, label, detail, error);
    }

    private String encryptionLabel(String keyId) {
        return CryptoProvider.isDefaultKeyId(keyId) ? this.settings.keyLabel() : keyId;
    }

    private String signingLabel(String keyId) {
        return CryptoProvider.isDefaultKeyId(keyId) ? this.settings.signingKeyLabel() : keyId;
    }

    private static void requireInput(String operation, String keyId, byte[] value, String name) {
        if (value == null) {
            throw new KmsException(KmsProviderName.PKCS11, operation, keyId, KmsErrorKind.INVALID_INPUT,
                    name + " is missing (null)");
        }
    }

    /**
     * Operation on the connected token.
     */
    @FunctionalInterface
    private interface TokenAction<T> {

        T apply(Pkcs11Token token) throws GeneralSecurityException;
    }
}
