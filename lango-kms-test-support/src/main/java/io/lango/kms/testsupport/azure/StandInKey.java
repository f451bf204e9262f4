package io.lango.kms.testsupport.azure;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyPair;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * One version of a key held by the stand-in, with its key pair, attributes and the crypto operations Key Vault
 * performs with it.
 */
final class StandInKey {

    /** Digest length that each ECDSA algorithm expects, and the curve it needs (JSON Web Algorithms, RFC 7518). */
    private static final Map<String, EcAlgorithm> EC_ALGORITHMS = Map.of("ES256", new EcAlgorithm("P-256", 32),
            "ES384", new EcAlgorithm("P-384", 48), "ES512", new EcAlgorithm("P-521", 64));

    private final String name;

    private final String version;

    private final String keyType;

    private final String curve;

    private final KeyPair keyPair;

    private final List<String> keyOperations;

    private final Instant created;

    private volatile boolean enabled = true;

    private volatile Instant notBefore;

    private volatile Instant expiresOn;

    private volatile Instant updated;

    StandInKey(String name, String version, String keyType, String curve, KeyPair keyPair,
            List<String> keyOperations) {
        this.name = name;
        this.version = version;
        this.keyType = keyType;
        this.curve = curve;
        this.keyPair = keyPair;
        this.keyOperations = List.copyOf(keyOperations);
        this.created = Instant.now();
        this.updated = this.created;
    }

    String name() {
        return this.name;
    }

    String version() {
        return this.version;
    }

    String keyType() {
        return this.keyType;
    }

    String curve() {
        return this.curve;
    }

    KeyPair keyPair() {
        return this.keyPair;
    }

    List<String> keyOperations() {
        return this.keyOperations;
    }

    boolean isRsa() {
        return this.keyType.startsWith("RSA");
    }

    boolean isEnabled() {
        return this.enabled;
    }

    Instant created() {
        return this.created;
    }

    Instant updated() {
        return this.updated;
    }

    Instant notBefore() {
        return this.notBefore;
    }

    Instant expiresOn() {
        return this.expiresOn;
    }

    void update(Boolean enabled, Instant notBefore, Instant expiresOn) {
        if (enabled != null) {
            this.enabled = enabled;
        }
        if (notBefore != null) {
            this.notBefore = notBefore;
        }
        if (expiresOn != null) {
            this.expiresOn = expiresOn;
        }
        this.updated = Instant.now();
    }

    /**
     * Returns the JSON Web Key members of the public key: {@code n} and {@code e} for RSA, {@code crv}, {@code x} and
     * {@code y} for EC, each base64url-encoded without padding.
     */
    Map<String, String> publicJwkMembers() {
        if (isRsa()) {
            RSAPublicKey publicKey = (RSAPublicKey) this.keyPair.getPublic();
            return Map.of("n", base64Url(unsigned(publicKey.getModulus())), "e",
                    base64Url(unsigned(publicKey.getPublicExponent())));
        }
        ECPublicKey publicKey = (ECPublicKey) this.keyPair.getPublic();
        int length = (publicKey.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        return Map.of("crv", this.curve, "x", base64Url(fixedLength(publicKey.getW().getAffineX(), length)), "y",
                base64Url(fixedLength(publicKey.getW().getAffineY(), length)));
    }

    /**
     * Rejects an operation that the key does not allow, or that its enabled flag or validity period forbids now.
     */
    void checkUsable(String operation, boolean needsValidityPeriod) {
        if (!this.keyOperations.contains(operation)) {
            throw new KeyVaultError(403, "Forbidden", "KeyOperationForbidden",
                    "Operation %s is not permitted on this key.".formatted(operation));
        }
        if (!this.enabled) {
            throw new KeyVaultError(403, "Forbidden", "KeyDisabled",
                    "Operation %s is not allowed on a disabled key.".formatted(operation));
        }
        Instant now = Instant.now();
        if (needsValidityPeriod && this.expiresOn != null && !now.isBefore(this.expiresOn)) {
            throw new KeyVaultError(403, "Forbidden", "KeyExpired",
                    "Operation %s is not allowed on an expired key.".formatted(operation));
        }
        if (needsValidityPeriod && this.notBefore != null && now.isBefore(this.notBefore)) {
            throw new KeyVaultError(403, "Forbidden", "KeyNotYetValid",
                    "Operation %s is not allowed on a key that is not yet valid.".formatted(operation));
        }
    }

    byte[] encrypt(String algorithm, byte[] plaintext) {
        try {
            return rsaCipher(algorithm, Cipher.ENCRYPT_MODE).doFinal(plaintext);
        }
        catch (IllegalBlockSizeException | BadPaddingException ex) {
            throw KeyVaultError.badParameter("The plaintext is too long for the key and algorithm %s."
                .formatted(algorithm));
        }
        catch (GeneralSecurityException ex) {
            throw KeyVaultError.badParameter("Encryption with %s failed: %s".formatted(algorithm, ex.getMessage()));
        }
    }

    byte[] decrypt(String algorithm, byte[] ciphertext) {
        try {
            return rsaCipher(algorithm, Cipher.DECRYPT_MODE).doFinal(ciphertext);
        }
        catch (GeneralSecurityException ex) {
            throw KeyVaultError.badParameter("Decryption with %s failed.".formatted(algorithm));
        }
    }

    private Cipher rsaCipher(String algorithm, int mode) throws GeneralSecurityException {
        if (!isRsa()) {
            throw KeyVaultError.badParameter("Key and encryption algorithm %s are incompatible.".formatted(algorithm));
        }
        Key key = (mode == Cipher.ENCRYPT_MODE) ? this.keyPair.getPublic() : this.keyPair.getPrivate();
        Cipher cipher;
        switch (algorithm) {
            case "RSA-OAEP" -> {
                cipher = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
                cipher.init(mode, key);
            }
            case "RSA1_5" -> {
                cipher = Cipher.getInstance("RSA/ECB/PKCS1Padding");
                cipher.init(mode, key);
            }
            case "RSA-OAEP-256" -> {
                // RSA-OAEP-256 uses SHA-256 for both the label hash and MGF1 (RFC 7518, section 4.3).
                cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
                cipher.init(mode, key, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                        PSource.PSpecified.DEFAULT));
            }
            default -> throw KeyVaultError.badParameter("Algorithm %s is not supported.".formatted(algorithm));
        }
        return cipher;
    }

    /**
     * Signs a digest and returns the signature in IEEE P1363 form (r and s, each padded to the curve's byte length),
     * which is how Key Vault returns ECDSA signatures.
     */
    byte[] sign(String algorithm, byte[] digest) {
        Signature signer = ecdsa(algorithm, digest);
        try {
            signer.initSign(this.keyPair.getPrivate());
            signer.update(digest);
            return signer.sign();
        }
        catch (GeneralSecurityException ex) {
            throw KeyVaultError.badParameter("Signing with %s failed: %s".formatted(algorithm, ex.getMessage()));
        }
    }

    boolean verify(String algorithm, byte[] digest, byte[] signature) {
        Signature verifier = ecdsa(algorithm, digest);
        try {
            verifier.initVerify(this.keyPair.getPublic());
            verifier.update(digest);
            return verifier.verify(signature);
        }
        catch (SignatureException ex) {
            return false;
        }
        catch (InvalidKeyException ex) {
            throw KeyVaultError.badParameter("Verifying with %s failed: %s".formatted(algorithm, ex.getMessage()));
        }
    }

    private Signature ecdsa(String algorithm, byte[] digest) {
        EcAlgorithm expected = EC_ALGORITHMS.get(algorithm);
        if (expected == null) {
            throw KeyVaultError.badParameter("Algorithm %s is not supported by the stand-in.".formatted(algorithm));
        }
        if (isRsa() || !expected.curve().equals(this.curve)) {
            throw KeyVaultError.badParameter("Key and signing algorithm %s are incompatible.".formatted(algorithm));
        }
        if (digest.length != expected.digestLength()) {
            throw KeyVaultError.badParameter("Algorithm %s needs a %d-byte digest, but the digest is %d bytes."
                .formatted(algorithm, expected.digestLength(), digest.length));
        }
        try {
            // SunEC signs the given bytes as the digest and returns r || s, matching Key Vault's output.
            return Signature.getInstance("NONEwithECDSAinP1363Format");
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("The JDK has no NONEwithECDSAinP1363Format signature", ex);
        }
    }

    static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return (bytes.length > 1 && bytes[0] == 0) ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static byte[] fixedLength(BigInteger value, int length) {
        byte[] bytes = unsigned(value);
        byte[] padded = new byte[length];
        System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
        return padded;
    }

    private record EcAlgorithm(String curve, int digestLength) {
    }
}
